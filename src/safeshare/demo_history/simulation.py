"""Play the plan through the real services, in time order, a day at a time.

Each action runs at its own moment (the services' `now=`) and schedules what follows from
what the services answered: a decision the Firewall sent for review gets a disclosure
officer's ruling days later, a permitted one a disclosure, a disclosure to Immigration
Enforcement outcomes, a referral a response. Anything planned after today is simply not
done yet, which is what leaves reviews pending, referrals open and rights overdue.

Every event goes through the normal subscriptions (ledger, support, oversight), so every
ledger entry, checkpoint and Victims' Code item is what the service would have written.
Days are committed in batches: a failure rolls back to the last whole day, never half a
report's story, and the session is renewed each batch so memory stays flat.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.demo_history import answers, cast
from safeshare.demo_history.plan import ReportStory, ShareStory
from safeshare.demo_history.subjects import (
    RECIPIENTS,
    lawful_basis_for,
    share_request_for_report,
)
from safeshare.ledger import service as ledger_service
from safeshare.ledger.note import NoteSigner
from safeshare.oversight import feedback
from safeshare.oversight import outcomes as oversight_outcomes
from safeshare.oversight.schemas import OutcomeCreate
from safeshare.oversight.vocabulary import (
    ENFORCEMENT_OUTCOMES,
    OUTCOME_SOURCES_OFFERED,
    CaseOutcome,
    ImmigrationOutcome,
    OutcomeTrack,
)
from safeshare.policy import service as policy
from safeshare.policy.schemas import Category, CategoryRuling, Requester
from safeshare.reporting import service as reporting
from safeshare.reporting import victims_code
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.schemas import (
    REPORT_CREATE,
    UpdateCreate,
)
from safeshare.reporting.vocabulary import (
    ConsentMethod,
    DeliveryMethod,
    ImmigrationAbuse,
    KeyDecision,
    VictimsCodeRight,
)
from safeshare.support import service as support
from safeshare.support.errors import (
    ConsentRequiredError,
    DuplicateReferralError,
    ReferralStateError,
)
from safeshare.support.vocabulary import DeclineReason, ReferralOutcome, ServiceType
from safeshare.vault.keys import KeyProvider

Action = Callable[[Session, datetime], None]
HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# Rights met at intake, (right, chance, delay): the others stay open, having no deadline.
_INTAKE_RIGHTS: tuple[tuple[VictimsCodeRight, float, timedelta], ...] = (
    (VictimsCodeRight.crime_recorded, 0.12, 6 * HOUR),
    (VictimsCodeRight.information_when_reporting, 0.1, 2 * HOUR),
    (VictimsCodeRight.compensation_information, 0.05, 3 * DAY),
    (VictimsCodeRight.complaint, 0.04, 5 * DAY),
)
_DELIVERY = {
    "officer": DeliveryMethod.in_person,
    "public_online": DeliveryMethod.online_on_screen,
    "anonymous": DeliveryMethod.online_on_screen,
    "third_party": DeliveryMethod.via_advocate,
}
# Rights met once a case is charged: trial, outcome, expenses, offender information.
_CHARGED_RIGHTS: tuple[tuple[VictimsCodeRight, float], ...] = (
    (VictimsCodeRight.victim_personal_statement, 0.35),
    (VictimsCodeRight.trial_information, 0.3),
    (VictimsCodeRight.outcome_and_appeals, 0.2),
    (VictimsCodeRight.expenses_and_property, 0.12),
    (VictimsCodeRight.offender_information, 0.12),
)
# Charge rates differ by ethnic group: a difference the intersectional pages should show.
_CHARGE_RATE = {"white": 0.26, "asian": 0.18, "black": 0.11, "mixed": 0.2, "other": 0.15}
_RELEASE_RATE = {"npcc-2020": 0.35, "hmicfrs-rec1": 0.25}
# Immigration Enforcement's action, in ImmigrationOutcome order (no action, support contact,
# paused, interview, visit, reporting conditions, bail, detention, removal notice, removal).
_IE_OUTCOMES = {
    "iemvp": (0.12, 0.24, 0.34, 0.05, 0.03, 0.08, 0.04, 0.04, 0.03, 0.03),
    "other": (0.26, 0.2, 0.14, 0.06, 0.04, 0.1, 0.05, 0.06, 0.05, 0.04),
}
# What happened to the case (CaseOutcome order: continued, disengaged, withdrew, discontinued,
# charged, convicted, no further action), by whether enforcement followed: victims facing
# enforcement disengage and withdraw far more often (the harm the super-complaint described).
_CASE_OUTCOMES = {
    True: (0.12, 0.2, 0.4, 0.08, 0.04, 0.01, 0.15),
    False: (0.38, 0.06, 0.08, 0.04, 0.16, 0.06, 0.22),
}
# Whether the perpetrator used the victim's status to control them (yes, no, not sure,
# preferred not to say, not asked), by crime type: common in domestic abuse and modern slavery.
_ABUSE_WEIGHTS = {
    "domestic_abuse": (0.34, 0.3, 0.12, 0.08, 0.16),
    "modern_slavery": (0.5, 0.15, 0.15, 0.05, 0.15),
    "sexual_offence": (0.15, 0.45, 0.1, 0.1, 0.2),
}
_ABUSE_OTHER = (0.04, 0.6, 0.06, 0.05, 0.25)
_ABUSE_ANSWERS: tuple[ImmigrationAbuse | None, ...] = (*ImmigrationAbuse, None)


def _immigration_abuse(story: ReportStory) -> ImmigrationAbuse | None:
    """The indicator for a staff-taken report, from its own generator (keyed by the story) so
    the rest of a seed's history is unchanged."""
    side = random.Random(f"abuse-{story.at.isoformat()}-{story.crime_type}-{story.pathway}")
    weights = _ABUSE_WEIGHTS.get(story.crime_type, _ABUSE_OTHER)
    return side.choices(_ABUSE_ANSWERS, weights=weights)[0]


# Who told the disclosure officer (OutcomeSource order, "not recorded" never chosen).
_SOURCES = {
    OutcomeTrack.immigration: (0.55, 0.05, 0.15, 0.2, 0.05),
    OutcomeTrack.case: (0.0, 0.85, 0.05, 0.08, 0.02),
}
# A first contact (interview, visit) is often followed by a second action weeks later.
_FOLLOW_ON = {
    ImmigrationOutcome.interview: ImmigrationOutcome.enforcement_paused,
    ImmigrationOutcome.visit: ImmigrationOutcome.reporting_conditions,
}
_RATIONALE = {
    True: "Information needed to safeguard the victim; the minimum categories are released.",
    False: "No safeguarding need outweighs the risk to the victim; nothing further is released.",
}
# Refusals a real officer or advocate meets when the case moved on meanwhile (the victim
# withdrew consent, the referral was already closed): the demo, like them, carries on.
_REFUSALS = (ConsentRequiredError, DuplicateReferralError, ReferralStateError)
_DECLINES = {
    "refuge": (0.55, 0.1, 0.15, 0.1, 0.05, 0.05),
    "other": (0.2, 0.25, 0.25, 0.15, 0.1, 0.05),
}


@dataclass
class Directory:
    """The demo directory as the simulation needs it: services per organisation, and refuges."""

    services: dict[str, list[tuple[int, tuple[str, ...]]]]  # organisation -> (id, types)
    refuges: list[tuple[int, str, dict[str, int]]]  # (id, organisation, vacancy limits)


@dataclass
class Cast:
    """Signed-in actors by username, force names by key, and the directory."""

    people: dict[str, Actor]
    force_names: dict[str, str]
    regimes: dict[str, list[tuple[datetime, str]]]  # force key -> (from, regime), in order
    directory: Directory

    def reporting_actor(self, username: str) -> Actor:
        person = self.people[username]
        return Actor(username=username, role=person.role, organisation_id=person.organisation_id)

    def regime_at(self, force: str, at: datetime) -> str:
        current = self.regimes[force][0][1]
        for since, regime in self.regimes[force]:
            if since <= at:
                current = regime
        return current


@dataclass
class Tally:
    """How much of each kind the simulation did, for the summary line and tests."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n


@dataclass(order=True)
class _Due:
    when: datetime
    seq: int
    action: Action = field(compare=False)


class Simulation:
    """Run scheduled actions in time order up to `end`, committing whole days in batches."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        cast_: Cast,
        provider: KeyProvider,
        config: ReportingConfig,
        anonymous_config: ReportingConfig,
        signer: NoteSigner,
        origin: str,
        rng: random.Random,
        end: datetime,
        batch_actions: int = 400,
    ) -> None:
        self.sessions = sessions
        self.cast = cast_
        self.provider = provider
        self.config = config
        self.anonymous_config = anonymous_config
        self.signer = signer
        self.origin = origin
        self.rng = rng
        self.end = end
        self.batch_actions = batch_actions
        self.tally = Tally()
        self._queue: list[_Due] = []
        self._seq = 0
        self._references: dict[int, str] = {}

    # --- scheduling and the loop -----------------------------------------------------------

    def at(self, when: datetime, action: Action) -> None:
        """Do `action` at `when`, unless that is after the end of the history."""
        if when <= self.end:
            self._seq += 1
            heapq.heappush(self._queue, _Due(when, self._seq, action))

    def run(self, on_day: Callable[[date], None] = lambda _day: None) -> Tally:
        """Play everything scheduled; `on_day` hears of each day once it is committed."""
        for day in self._days():
            on_day(day)
        return self.tally

    def _days(self) -> Iterator[date]:
        done: list[date] = []
        session = self.sessions()
        try:
            actions = 0
            while self._queue:
                due = heapq.heappop(self._queue)
                day = due.when.date()
                if done and day != done[-1] and actions >= self.batch_actions:
                    session.commit()
                    session.close()
                    yield from done
                    done, actions, session = [], 0, self.sessions()
                if not done or done[-1] != day:
                    done.append(day)
                due.action(session, due.when)
                actions += 1
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        yield from done

    # --- reports and their cases -----------------------------------------------------------

    def report(self, story: ReportStory) -> None:
        self.at(story.at, partial(self._report, story=story))

    def _report(self, session: Session, when: datetime, story: ReportStory) -> None:
        anonymous = story.pathway == "anonymous"
        by = self._report_author(story)
        receipt = reporting.create_report(
            session,
            payload=REPORT_CREATE.validate_python(self._payload(story)),
            actor=self.cast.reporting_actor(by) if by else Actor.public(),
            provider=self.provider,
            config=self.anonymous_config if anonymous else self.config,
            now=when,
        )
        self.tally.add("reports")
        victim_said = answers.victim_feedback(story)
        if victim_said is not None:  # the last page of the public journey asks
            felt_safe, was_helpful = victim_said
            feedback.record_public_feedback(
                session, felt_safe=felt_safe, was_helpful=was_helpful, now=when
            )
            self.tally.add("feedback")
        report_id = receipt.report_id
        self._references[report_id] = receipt.reference
        rights = {
            int(item.right): item.id
            for item in reporting.get_report_or_raise(
                session, report_id=report_id, actor=self._staff()
            ).rights
        }
        rng = self.rng
        for right, chance, delay in _INTAKE_RIGHTS:
            if rng.random() < chance:
                method = _DELIVERY[story.pathway] if right == 3 else None
                self._mark(rights[right], when + delay * (0.5 + rng.random()), method)
        if story.has_language_needs and rng.random() < 0.25:
            self._mark(rights[VictimsCodeRight.understand_and_be_understood], when + DAY)
        self._plan_case(story, report_id, rights, when)
        for share in story.shares:
            self.at(share.at, partial(self._share, report_id=report_id, share=share))
        self._plan_referrals(story, report_id, rights[VictimsCodeRight.referral_to_support], when)
        if "victim_support" in story.consents and rng.random() < 0.03:
            self.at(
                when + (3 + 30 * rng.random()) * DAY, partial(self._withdraw, report_id=report_id)
            )

    def _report_author(self, story: ReportStory) -> str | None:
        if story.pathway == "officer":
            return self.rng.choice(cast.OFFICERS["home"])
        if story.pathway == "third_party":
            assert story.organisation is not None
            return cast.ADVOCATES[story.organisation]
        return None

    def _payload(self, story: ReportStory) -> dict[str, Any]:
        rng = self.rng
        name = f"{rng.choice(cast.GIVEN_NAMES)} {rng.choice(cast.FAMILY_NAMES)}"
        identity = story.pathway in ("officer", "public_online") or (
            story.pathway == "third_party" and rng.random() < 0.6
        )
        details: dict[str, Any] = {"account": cast.ACCOUNTS[story.crime_type]}
        if identity:
            details["name"] = name
            details["contact_details"] = f"01632 96{rng.randrange(10_000):04d}"
        if story.has_language_needs:
            details["language_needs"] = f"{rng.choice(cast.LANGUAGES)} interpreter"
        day = story.at.date()
        payload: dict[str, Any] = {
            "pathway": story.pathway,
            "crime_type": story.crime_type,
            "occurred_from": day - timedelta(days=rng.randrange(0, 30)),
            "occurred_to": day,
            "area": rng.choice(("Northtown", "Old Market", "Easthaven", "Riverside", "Southmoor")),
            "monitoring": {
                "sex": story.sex,
                "age_band": story.age_band,
                "ethnicity_group": story.ethnicity_group,
                "nationality_group": story.nationality_group,
                **answers.further_monitoring(story),
            },
            "details": details,
            "consents": [{"purpose": purpose} for purpose in story.consents],
            "is_vulnerable_or_intimidated": rng.random() < 0.1,
        }
        if story.pathway == "third_party":
            payload["with_identity"] = identity
        if story.pathway in ("officer", "third_party"):
            payload["immigration_abuse"] = _immigration_abuse(story)
        if story.pathway == "anonymous":
            words = rng.sample(cast.PASSPHRASE_WORDS, 4)
            payload["passphrase"] = " ".join(words) + f" {rng.randrange(100)}"
        return payload

    def _staff(self) -> Actor:
        return self.cast.reporting_actor(cast.OFFICERS["home"][0])

    def _mark(self, item_id: int, when: datetime, method: DeliveryMethod | None = None) -> None:
        def mark(session: Session, at: datetime) -> None:
            actor = self.cast.reporting_actor(self.rng.choice(cast.OFFICERS["home"]))
            victims_code.mark_right_met(
                session,
                item_id=item_id,
                actor=actor,
                config=self.config,
                met_at=at,
                delivery_method=method,
            )
            self.tally.add("rights_met")

        self.at(when, mark)

    def _plan_case(
        self, story: ReportStory, report_id: int, rights: dict[int, int], when: datetime
    ) -> None:
        """Where the case has got to, in one officer's update: under investigation (often
        after an arrest), charged, no further action, or closed without investigation; or
        still new. Each key decision owes the victim an update (Right 6)."""
        rng = self.rng
        roll = rng.random()
        later = when + (10 + 110 * rng.random()) * DAY
        if roll < _CHARGE_RATE.get(story.ethnicity_group or "", 0.2):
            self._update(report_id, later, story, KeyDecision.charge, "charged")
            for right, chance in _CHARGED_RIGHTS:
                if rng.random() < chance:
                    self._mark(rights[right], later + (5 + 60 * rng.random()) * DAY)
        elif roll < 0.45:
            self._update(
                report_id, later, story, KeyDecision.no_further_action, "no_further_action"
            )
        elif roll < 0.7:
            arrest = KeyDecision.arrest if rng.random() < 0.4 else None
            self._update(
                report_id,
                when + (0.3 + 5 * rng.random()) * DAY,
                story,
                arrest,
                "under_investigation",
            )
        elif roll < 0.8:
            self._update(
                report_id,
                when + (2 + 8 * rng.random()) * DAY,
                story,
                KeyDecision.decision_not_to_investigate,
                "closed",
            )

    def _update(
        self,
        report_id: int,
        when: datetime,
        story: ReportStory,
        decision: KeyDecision | None,
        status: str,
    ) -> None:
        def update(session: Session, at: datetime) -> None:
            reporting.add_update(
                session,
                report_id=report_id,
                payload=UpdateCreate(key_decision=decision, new_status=status),
                actor=self._staff(),
                provider=self.provider,
                config=self.config,
                now=at,
            )
            self.tally.add("updates")
            if decision is not None:
                self._plan_right_six(session, at, report_id, decision, story)

        self.at(when, update)

    def _plan_right_six(
        self,
        session: Session,
        at: datetime,
        report_id: int,
        decision: KeyDecision,
        story: ReportStory,
    ) -> None:
        """Tell the victim about the key decision: mostly on time, less so for victims who
        need an interpreter; a few never (overdue)."""
        trigger = f"key_decision:{decision.value}"
        item = next(
            r
            for r in reversed(
                reporting.get_report_or_raise(
                    session, report_id=report_id, actor=self._staff()
                ).rights
            )
            if r.trigger == trigger and r.status == "pending"
        )
        on_time = 0.62 if story.has_language_needs else 0.84
        roll = self.rng.random()
        if roll < on_time:
            self._mark(item.id, at + (0.5 + 3 * self.rng.random()) * HOUR)
        elif roll < on_time + (1 - on_time) * 0.6:
            self._mark(item.id, at + (12 + 20 * self.rng.random()) * DAY)

    def _withdraw(self, session: Session, at: datetime, report_id: int) -> None:
        """The victim withdraws consent to support (referrals close through the subscription)."""
        report = reporting.get_report_or_raise(session, report_id=report_id, actor=self._staff())
        consent = next(
            (c for c in report.consents if c.purpose == "victim_support" and c.is_active), None
        )
        if consent is None:
            return
        reporting.withdraw_consent(
            session,
            report_id=report_id,
            consent_id=consent.id,
            method=ConsentMethod.officer_phone,
            actor=self._staff(),
            config=self.config,
            now=at,
        )
        self.tally.add("consents_withdrawn")

    # --- sharing: decisions, reviews, disclosures, outcomes --------------------------------

    def _share(self, session: Session, at: datetime, report_id: int, share: ShareStory) -> None:
        officer = self.rng.choice(cast.OFFICERS[share.force])
        request = share_request_for_report(
            session,
            report_id=report_id,
            requester=Requester.model_validate({"agency": share.agency, "purpose": share.purpose}),
            categories=[Category(c) for c in share.categories],
            status_doubt_only=share.status_doubt_only,
            actor=self.cast.reporting_actor(officer),
            config=self.config,
        )
        regime = self.cast.regime_at(share.force, at)
        record = policy.make_decision(
            session,
            request=request,
            actor=officer,
            actor_role=Role.officer,
            regime=regime,
            force=self.cast.force_names[share.force],
            now=at,
        )
        self.tally.add("decisions")
        rng = self.rng
        sent = 0.85 if share.agency == "immigration_enforcement" else 0.4
        if record.outcome == "permit" and rng.random() < sent:
            lag = (1 + 100 * rng.random() ** 2) * HOUR
            self.at(
                at + lag, partial(self._disclose, decision_id=record.id, share=share, regime=regime)
            )
        elif record.outcome == "review" and record.review is not None:
            if share.is_backlog or rng.random() < 0.02:
                return  # still in the queue (the oldest ones stuck there)
            lag = HOUR * (0.3 + 300 * rng.random() ** 2.2)
            review_id = record.review.id
            self.at(
                at + lag, partial(self._review, review_id=review_id, share=share, regime=regime)
            )

    def _review(
        self, session: Session, at: datetime, review_id: int, share: ShareStory, regime: str
    ) -> None:
        review = policy.get_review_or_raise(session, review_id=review_id)
        release = self.rng.random() < _RELEASE_RATE.get(regime, 0.3)
        minimum = {"identity", "nationality", "immigration_status"}
        rulings = [
            CategoryRuling(
                category=category,
                disclose=release and category in minimum,
                rationale=_RATIONALE[release and category in minimum],
            )
            for category in review.reviewable
        ]
        decided = policy.decide_review(
            session,
            review_id=review_id,
            rulings=rulings,
            actor=cast.DISCLOSURE_OFFICERS[share.force],
            actor_role=Role.disclosure_officer,
            now=at,
        )
        self.tally.add("reviews_decided")
        if decided.disclose and self.rng.random() < 0.9:
            decision_id = decided.decision_id
            lag = (1 + 48 * self.rng.random()) * HOUR
            self.at(
                at + lag,
                partial(self._disclose, decision_id=decision_id, share=share, regime=regime),
            )

    def _disclose(
        self, session: Session, at: datetime, decision_id: int, share: ShareStory, regime: str
    ) -> None:
        record = policy.get_decision_or_raise(session, decision_id=decision_id)
        actor = cast.DISCLOSURE_OFFICERS[share.force]
        categories = policy.disclosable_categories(record)
        basis, condition = lawful_basis_for(share.purpose, categories)
        disclosure = policy.record_disclosure(
            session,
            decision_id=decision_id,
            categories=categories,
            sent_at=at,
            method=self.rng.choice(("secure_email", "secure_system")),
            recipient_organisation=RECIPIENTS.get(share.agency, "Partner agency (fictional)"),
            lawful_basis=basis,
            processing_condition=condition,
            actor=actor,
            actor_role=Role.disclosure_officer,
            now=at + 10 * timedelta(minutes=1),
        )
        self.tally.add("disclosures")
        if share.agency != "immigration_enforcement":
            return
        rng = self.rng
        weights = _IE_OUTCOMES["iemvp" if regime == "iemvp" else "other"]
        immigration = rng.choices(list(ImmigrationOutcome), weights=weights)[0]
        if rng.random() < 0.85:
            when = at + (5 + 55 * rng.random()) * DAY
            self._outcome(disclosure.id, actor, when, OutcomeTrack.immigration, immigration)
            # Its own generator, so the rest of the history stays as it was for a seed.
            side = random.Random(f"follow-on-{disclosure.id}")
            follow_on = _FOLLOW_ON.get(immigration)
            if follow_on is not None and side.random() < 0.5:
                later = when + (14 + 30 * side.random()) * DAY
                self._outcome(disclosure.id, actor, later, OutcomeTrack.immigration, follow_on)
        if rng.random() < 0.75:
            enforced = immigration in ENFORCEMENT_OUTCOMES
            case = rng.choices(list(CaseOutcome), weights=_CASE_OUTCOMES[enforced])[0]
            when = at + (10 + 80 * rng.random()) * DAY
            self._outcome(disclosure.id, actor, when, OutcomeTrack.case, case)

    def _outcome(
        self, disclosure_id: int, actor: str, when: datetime, track: OutcomeTrack, outcome: str
    ) -> None:
        side = random.Random(f"source-{disclosure_id}-{track}-{outcome}")
        source = side.choices(OUTCOME_SOURCES_OFFERED, weights=_SOURCES[track])[0]

        def record(session: Session, at: datetime) -> None:
            oversight_outcomes.record_outcome(
                session,
                disclosure_id=disclosure_id,
                data=OutcomeCreate.model_validate(
                    {
                        "track": track,
                        "outcome": outcome,
                        "occurred_on": at.date(),
                        "source": source,
                    }
                ),
                actor=actor,
                actor_role=Role.disclosure_officer,
                now=at + HOUR,
            )
            self.tally.add("outcomes")

        self.at(when, record)

    # --- referrals to support --------------------------------------------------------------

    def _organisations_for(self, story: ReportStory) -> list[str]:
        """Where a victim is referred: a 'by and for' service for their community first."""
        first = {
            "asian": cast.SAHELI,
            "black": cast.AMANI,
        }.get(story.ethnicity_group or "", cast.LUMEN)
        if story.sex == "declined" and self.rng.random() < 0.3:
            first = cast.RAINBOW
        second = cast.ADVICE if "regularisation_support" in story.consents else cast.LUMEN
        if second == first:
            second = cast.AMANI
        return [first, second][: story.referrals]

    def _plan_referrals(
        self, story: ReportStory, report_id: int, right_four: int, when: datetime
    ) -> None:
        rng = self.rng
        if not story.referrals:
            if "victim_support" in story.consents and rng.random() < 0.75:
                self.at(when + 2 * HOUR, partial(self._self_referred, item_id=right_four))
            return
        # Right 4: within two working days of consent; interpreters slow it down.
        late = rng.random() < (0.3 if story.has_language_needs else 0.1)
        delay = (5 + 10 * rng.random()) * DAY if late else (1 + 20 * rng.random()) * HOUR
        for n, organisation in enumerate(self._organisations_for(story)):
            self.at(
                when + delay + n * 3 * DAY,
                partial(
                    self._refer,
                    report_id=report_id,
                    organisation=organisation,
                    story=story,
                ),
            )

    def _self_referred(self, session: Session, at: datetime, item_id: int) -> None:
        victims_code.mark_right_not_applicable(
            session,
            item_id=item_id,
            actor=self._staff(),
            reason="The victim is already supported by a service of their choice",
            config=self.config,
        )
        self.tally.add("rights_not_applicable")

    def _refer(
        self,
        session: Session,
        at: datetime,
        report_id: int,
        organisation: str,
        story: ReportStory,
    ) -> None:
        services = self.cast.directory.services[organisation]
        refuges = [s for s in services if ServiceType.refuge in s[1]]
        others = [s for s in services if ServiceType.refuge not in s[1]] or services
        wants_refuge = (
            bool(refuges) and story.crime_type == "domestic_abuse" and self.rng.random() < 0.5
        )
        service_id = (refuges if wants_refuge else others)[0][0]
        officer = self.cast.people[self.rng.choice(cast.OFFICERS["home"])]
        try:
            attempt = support.refer_report(
                session,
                actor=officer,
                reference=self._references[report_id],
                service_id=service_id,
                needs=[ServiceType.refuge] if wants_refuge else [],
                language=None,
                has_nrpf=story.nationality_group in ("rest_of_world", "stateless"),
                force=self.cast.force_names["home"],
                now=at,
            )
        except _REFUSALS as exc:  # consent withdrawn meanwhile, or already referred
            self.tally.add(f"referrals_refused:{type(exc).__name__}")
            return
        self.tally.add("decisions")
        if attempt.referral is None:
            return
        self.tally.add("referrals")  # the referral itself meets Right 4 (reporting's rule)
        referral_id = attempt.referral.id
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            return  # never answered: still awaiting a response
        if roll < 0.06:
            self.at(
                at + (1 + 3 * rng.random()) * DAY,
                partial(self._withdraw_referral, referral_id=referral_id),
            )
            return
        lag = (2 + 140 * rng.random() ** 2) * HOUR
        self.at(
            at + lag,
            partial(
                self._respond,
                referral_id=referral_id,
                organisation=organisation,
                refuge=wants_refuge,
            ),
        )

    def _withdraw_referral(self, session: Session, at: datetime, referral_id: int) -> None:
        officer = self.cast.people[cast.OFFICERS["home"][0]]
        try:
            support.withdraw_referral(session, actor=officer, referral_id=referral_id, now=at)
        except _REFUSALS:
            return  # closed already (the victim withdrew consent first)
        self.tally.add("referrals_withdrawn")

    def _respond(
        self, session: Session, at: datetime, referral_id: int, organisation: str, refuge: bool
    ) -> None:
        advocate = self.cast.people[cast.ADVOCATES[organisation]]
        rng = self.rng
        try:
            if rng.random() < (0.3 if refuge else 0.15):
                reason = rng.choices(
                    list(DeclineReason), weights=_DECLINES["refuge" if refuge else "other"]
                )[0]
                support.decline_referral(
                    session, actor=advocate, referral_id=referral_id, reason=reason, now=at
                )
                self.tally.add("referrals_declined")
                return
            support.accept_referral(session, actor=advocate, referral_id=referral_id, now=at)
        except _REFUSALS:
            return  # withdrawn in the meantime
        self.tally.add("referrals_accepted")
        first = at + (0.2 + 4 * rng.random()) * DAY
        if rng.random() < 0.25:
            self._referral_outcome(referral_id, advocate, first, ReferralOutcome.first_contact_made)
        final = rng.choices(
            (
                ReferralOutcome.engaged,
                ReferralOutcome.unreachable,
                ReferralOutcome.declined_by_victim,
                ReferralOutcome.no_capacity,
            ),
            weights=(0.6, 0.15, 0.15, 0.1),
        )[0]
        self._referral_outcome(referral_id, advocate, first + (7 + 50 * rng.random()) * DAY, final)

    def _referral_outcome(
        self, referral_id: int, advocate: Actor, when: datetime, outcome: ReferralOutcome
    ) -> None:
        def record(session: Session, at: datetime) -> None:
            try:
                support.record_outcome(
                    session,
                    actor=advocate,
                    referral_id=referral_id,
                    outcome=outcome,
                    occurred_at=at,
                    now=at + HOUR,
                )
            except _REFUSALS:
                return  # closed meanwhile (consent withdrawn)
            self.tally.add("referral_outcomes")
            said = answers.advocate_feedback(referral_id, outcome)
            if said is not None:
                later = at + (1 + 6 * random.Random(f"said-{referral_id}").random()) * DAY
                self.at(
                    later,
                    partial(
                        self._advocate_feedback,
                        referral_id=referral_id,
                        advocate=advocate,
                        said=said,
                    ),
                )

        self.at(when, record)

    def _advocate_feedback(
        self,
        session: Session,
        at: datetime,
        referral_id: int,
        advocate: Actor,
        said: answers.Answers,
    ) -> None:
        """The advocate answers "was it safe, was it helpful" about a referral that closed."""
        felt_safe, was_helpful = said
        feedback.record_referral_feedback(
            session,
            actor=advocate,
            referral_id=referral_id,
            felt_safe=felt_safe,
            was_helpful=was_helpful,
            now=at,
        )
        self.tally.add("feedback")

    # --- the force's regime, the directory, checkpoints -----------------------------------

    def regime_change(self, when: datetime, force: str, regime: str, note: str) -> None:
        def change(session: Session, at: datetime) -> None:
            policy.set_active_regime(
                session,
                regime=regime,
                actor="admin",
                actor_role=Role.admin,
                force=self.cast.force_names[force],
                note=note,
                now=at,
            )
            self.tally.add("regime_changes")

        self.at(when, change)

    def checkpoint(self, when: datetime) -> None:
        def sign(session: Session, _at: datetime) -> None:
            ledger_service.create_checkpoint(session, signer=self.signer, origin=self.origin)
            self.tally.add("checkpoints")

        self.at(when, sign)
