"""Quotes lose the names the service knows: the person's own, and their practitioners' (issue 17)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from bot.report.quotes import quotes, redact
from storage.dataset.period import Period
from storage.db import make_engine
from storage.models import EndOfSupport, Person, Practitioner, Referral, Team

PERIOD = Period.of_days(date(2026, 3, 1), date(2026, 3, 31), "Europe/London")
IN = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)


def test_names_are_taken_out_as_whole_words_in_any_case():
    said = "Alys rang me every week, alys was kind; Sîan says Alysia's group helped. Ring 07700 900123"
    assert redact(said, ["Alys Jones", "Sîan"]) == "… rang me every week, … was kind; … says Alysia's group helped. Ring …"
    assert redact("Jo and jones helped", ["Jo Jones"]) == "… and … helped"
    assert redact("A big help", ["A"]) == "A big help"          # an initial alone is not a name to hunt


def test_the_quotes_lose_the_persons_and_the_practitioners_names(database_url):
    engine = make_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            team = Team(name="Caerdydd", postcode_areas=["CF"], created_at=IN)
            session.add(team)
            session.flush()
            practitioner = Practitioner(name="Gwenllian Prys", team_id=team.id, created_at=IN)
            session.add(practitioner)
            session.flush()
            for i in range(5):
                name = ("Siôn", "Dafydd", "Mererid", "Ffion", "Rhodri")[i]
                person = Person(created_at=IN, opted_out=False, pseudonym=f"q{i:031x}", language="cy")
                session.add(person)
                session.flush()
                session.add(Referral(person_id=person.id, status="closed", practitioner_id=practitioner.id,
                                     answers={"first_name": name}, created_at=IN,
                                     updated_at=IN))
                session.add(EndOfSupport(person_id=person.id, source="closed", status="completed", questions=[],
                                         answers={}, quote_ok=True, offered_at=IN, completed_at=IN,
                                         difference_text=f"{name.lower()} here: Gwenllian helped me find the choir"))
        shown = quotes(engine, PERIOD, 5)["shown"]
        assert shown == ["… here: … helped me find the choir"] * 5
    finally:
        engine.dispose()
