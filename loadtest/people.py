"""`python -m loadtest.people COUNT OUT.json`, run in the app's environment after `flask demo load`: enough
people for COUNT distinct sign-ins, made with the services a person would use, and what each may do.

The demo has two leaders, three officers and one viewer who see the plan (its administrator does not). The
rest are added with `create_user`, as `flask users create` does, and each added officer is made a contributor
to two open actions with `update_action`, as a leader would on the action's page, so that they may report
progress on them. Writes OUT.json: the people (email, password, role, the actions whose progress they may
report) and the ids of the live findings and actions, which the load reads.
"""

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from loadtest import PASSWORD
from tracker import create_app
from tracker.auth.models import User
from tracker.auth.services import create_user
from tracker.extensions import db
from tracker.models import Role
from tracker.plan.models import Action, ActionStatus, Finding
from tracker.plan.services import ActionData, update_action

# the people the load signs in as, by share: officers report and upload, leaders report and read, viewers read
SHARES = ((Role.OFFICER, 0.5), (Role.LEADER, 0.2), (Role.VIEWER, 0.3))
EXTRA_PASSWORD = "swarm-Kq7-people-2026"
DEMO_LEADER = "leader@demo.example"
CONTRIBUTIONS = 2  # open actions each added officer contributes to


@dataclass
class Person:
    email: str
    password: str
    role: str
    actions: list[int] = field(default_factory=list)  # whose progress this person may report


def wanted(count: int) -> dict[Role, int]:
    """How many of each role make up `count` people, officers taking what rounding leaves."""
    numbers = {role: round(count * share) for role, share in SHARES if role is not Role.OFFICER}
    numbers[Role.OFFICER] = count - sum(numbers.values())
    return numbers


def _action_data(action: Action, contributor_ids: list[int]) -> ActionData:
    return ActionData(
        reference=action.reference,
        title=action.title,
        description=action.description,
        intended_outcome=action.intended_outcome,
        owner_id=action.owner_id,
        partner=action.partner,
        priority=action.priority,
        start_date=action.start_date,
        due_date=action.current_due_date,
        status=action.status,
        percent_complete=action.percent_complete,
        finding_ids=[f.id for f in action.findings],
        measure_ids=[m.id for m in action.measures],
        contributor_ids=contributor_ids,
    )


def _open_actions() -> list[Action]:
    return db.session.scalars(
        sa.select(Action)
        .where(
            Action.archived_at.is_(None),
            Action.status.in_([ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]),
        )
        .order_by(Action.id)
    ).all()


def add_people(count: int) -> list[Person]:
    demo = db.session.scalars(
        sa.select(User).where(User.active.is_(True), User.role != Role.ADMIN).order_by(User.id)
    ).all()
    open_actions = _open_actions()
    leader = db.session.scalar(sa.select(User).where(User.email == DEMO_LEADER))
    people: list[Person] = []
    for role, number in wanted(count).items():
        mine = [user for user in demo if user.role is role][:number]
        people += [Person(user.email, PASSWORD, role.value) for user in mine]
        for n in range(1, number - len(mine) + 1):
            user = create_user(
                None, f"{role.value}{n}@loadtest.example", f"Load test {role.value} {n}", role, EXTRA_PASSWORD
            )
            people.append(Person(user.email, EXTRA_PASSWORD, role.value))
            if role is Role.OFFICER:
                _contribute(
                    leader,
                    user,
                    [open_actions[(n * CONTRIBUTIONS + k) % len(open_actions)] for k in range(CONTRIBUTIONS)],
                )
    _note_actions(people, open_actions)
    return people


def _contribute(leader: User, officer: User, actions: list[Action]) -> None:
    for action in actions:
        contributors = [user.id for user in action.contributors] + [officer.id]
        update_action(leader, action, _action_data(action, contributors), action.version)


def _note_actions(people: list[Person], open_actions: list[Action]) -> None:
    by_email = {user.email: user for user in db.session.scalars(sa.select(User))}
    for person in people:
        user = by_email[person.email]
        if person.role == Role.LEADER.value:
            person.actions = [action.id for action in open_actions]
        elif person.role == Role.OFFICER.value:
            person.actions = [
                action.id
                for action in open_actions
                if action.owner_id == user.id or user in action.contributors
            ]


def main() -> None:
    count, out = int(sys.argv[1]), Path(sys.argv[2])
    with create_app().app_context():
        people = add_people(count)
        plan = {
            "people": [person.__dict__ for person in people],
            "findings": db.session.scalars(
                sa.select(Finding.id).where(Finding.archived_at.is_(None)).order_by(Finding.id)
            ).all(),
            "actions": db.session.scalars(
                sa.select(Action.id).where(Action.archived_at.is_(None)).order_by(Action.id)
            ).all(),
        }
    lonely = [p.email for p in people if p.role == Role.OFFICER.value and not p.actions]
    if len(people) != count or lonely:
        raise SystemExit(
            f"made {len(people)} people of {count}; officers with no action to report on: {lonely}"
        )
    out.write_text(json.dumps(plan, indent=1))
    print(f"{len(people)} people: " + ", ".join(f"{n} {role.value}s" for role, n in wanted(count).items()))


if __name__ == "__main__":
    main()
