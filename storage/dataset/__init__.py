"""The Core Data Set: the Appendix Five catalogue, pseudonymised export."""
