"""Nothing missed: a Hypothesis state machine interleaves creates, patches, deletes, audience changes,
profile deletes and delta pages (so writes land while clients are between pages) on both stores, and
checks that each client's copy — its first round with every later round applied in order — equals a
fresh full read of what that client may see, per user and tenant-wide (contract §12).

The clients: the owner and another reader (`User.Read.All`: shared facets only) of one user's skills;
an application over every user's skills; a delegated reader over every user's facets of every collection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from shared.auth import Principal, sees_all_facets
from shared.facets.catalog import FACET_TYPES
from shared.facets.common import is_shared
from shared.facets.model import FacetType
from shared.facets.wire import to_wire
from shared.models import DirectoryUser
from shared.repository import ProfileRepository
from shared.services.delta import DeltaOptions, Feed, item_id, run_round
from shared.services.users import Target
from tests.contract.helpers import POSITIONS, SKILLS, changed, facet, guid

pytestmark = pytest.mark.long_running

KEY = b"s" * 32
PAGE = 1
AUDIENCES = ("me", "organization", "everyone", "contacts")
#: The examples are kept few and short: every step on the Cosmos test server is an HTTPS round trip.
MACHINE_SETTINGS = settings(
    max_examples=12,
    stateful_step_count=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _principal(tenant: str, oid: str, *, app: bool = False, scope: str = "User.ReadWrite") -> Principal:
    return Principal(
        tenant_id=tenant,
        object_id=oid,
        is_app=app,
        scopes=frozenset() if app else frozenset({scope}),
        roles=frozenset({"User.Read.All"}) if app else frozenset(),
        app_id=guid(),
        app_display_name="sync",
        upn=None,
        display_name="T",
    )


class Client:
    """A delta client: its copy, its deltaLink token, and the nextLink token of a walk in progress."""

    def __init__(self, name: str, principal: Principal, feed: Feed) -> None:
        self.name, self.principal, self.feed = name, principal, feed
        self.copy: dict[str, dict[str, Any]] = {}
        self.delta_token: str | None = None
        self.next_token: str | None = None
        self.started = False

    def key(self, item: dict[str, Any]) -> str:
        return item["@odata.id"] if self.feed.tenant_wide else item["id"]

    def page(self, repo: ProfileRepository) -> bool:
        """Read one page and apply it; True when it ended a round."""
        if self.next_token is not None:
            options = DeltaOptions(None, self.next_token, None)
        elif self.started:
            options = DeltaOptions(None, None, self.delta_token)
        else:
            options = DeltaOptions(None, None, None)
        page = run_round(repo, self.principal, self.feed, options, key=KEY, page_size=PAGE)
        self.started = True
        assert (page.next_token is None) != (page.delta_token is None)
        for item in page.items:
            if "@removed" in item:
                self.copy.pop(self.key(item), None)
            else:
                self.copy[self.key(item)] = {k: v for k, v in item.items() if not k.startswith("@")}
        if page.next_token is not None:
            assert page.items, "a page with a nextLink is never empty"
            self.next_token = page.next_token
            return False
        self.next_token, self.delta_token = None, page.delta_token
        return True

    def finish(self, repo: ProfileRepository) -> None:
        """Complete the walk in progress, then one whole round that starts after every write so far."""
        while self.next_token is not None or not self.started:
            if self.page(repo):
                break
        while not self.page(repo):
            pass


class DeltaMachine(RuleBasedStateMachine):
    """One tenant per example; `repo_factory` is the store under test."""

    repo_factory: Callable[[], ProfileRepository]

    def __init__(self) -> None:
        super().__init__()
        self.repo = type(self).repo_factory()
        self.tenant = guid()
        self.users = [guid() for _ in range(3)]
        owner, reader = self.users[0], guid()
        self.by_type = {SKILLS.collection: SKILLS, POSITIONS.collection: POSITIONS}

        def target(own: bool) -> Target:
            return Target(self.tenant, owner, own, DirectoryUser(tenant_id=self.tenant, object_id=owner))

        self.clients = [
            Client("owner", _principal(self.tenant, owner), Feed(self.tenant, target(True), (SKILLS,))),
            Client(
                "reader",
                _principal(self.tenant, reader, scope="User.Read.All"),
                Feed(self.tenant, target(False), (SKILLS,)),
            ),
            Client("app", _principal(self.tenant, guid(), app=True), Feed(self.tenant, None, (SKILLS,))),
            Client(
                "tenant reader",
                _principal(self.tenant, reader, scope="User.Read.All"),
                Feed(self.tenant, None, tuple(FACET_TYPES)),
            ),
        ]

    # --- the truth: a fresh full read of what each client may see --------------------------------
    def truth(self, client: Client) -> dict[str, dict[str, Any]]:
        oids = [client.feed.target.object_id] if client.feed.target is not None else self.users
        held: dict[str, dict[str, Any]] = {}
        for oid in oids:
            own = (
                client.feed.target.own
                if client.feed.target is not None
                else (not client.principal.is_app and oid == client.principal.object_id)
            )
            for collection, items in self.repo.list_facets(self.tenant, oid, client.feed.facet_types).items():
                facet_type: FacetType = next(ft for ft in client.feed.facet_types if ft.collection == collection)
                for item in items:
                    if not (sees_all_facets(client.principal, own=own) or is_shared(item.value)):
                        continue
                    body = to_wire(facet_type, item.value, DirectoryUser(tenant_id=self.tenant, object_id=oid))
                    key = item_id(oid, collection, body["id"]) if client.feed.tenant_wide else body["id"]
                    held[key] = body
        return held

    def live(self) -> list[tuple[str, FacetType, dict[str, Any]]]:
        found = []
        for oid in self.users:
            for collection, items in self.repo.list_facets(self.tenant, oid, [SKILLS, POSITIONS]).items():
                found += [(oid, self.by_type[collection], item.value) for item in items]
        # in a replayable order (ids are random; users and creation times are drawn in order)
        return sorted(found, key=lambda e: (self.users.index(e[0]), e[1].collection, e[2]["createdDateTime"]))

    # --- writes ----------------------------------------------------------------------------------
    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        for _ in range(data.draw(st.integers(0, 6), label="seed")):
            self.create(data)

    @rule(data=st.data())
    def create(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.users), label="user")
        facet_type = data.draw(st.sampled_from([SKILLS, POSITIONS]), label="collection")
        audience = data.draw(st.sampled_from(AUDIENCES), label="audience")
        self.repo.add_facet(self.tenant, oid, facet_type, facet(facet_type, allowedAudiences=audience), max_count=100)

    @rule(data=st.data())
    def patch_or_change_audience(self, data: st.DataObject) -> None:
        live = self.live()
        if not live:
            return
        oid, facet_type, stored = data.draw(st.sampled_from(live), label="facet")
        audience = data.draw(st.sampled_from(AUDIENCES), label="audience")
        self.repo.replace_facet(self.tenant, oid, facet_type, changed(stored, allowedAudiences=audience), if_match=None)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        live = self.live()
        if not live:
            return
        oid, facet_type, stored = data.draw(st.sampled_from(live), label="facet")
        self.repo.delete_facet(self.tenant, oid, facet_type, stored["id"], if_match=None)

    @rule(data=st.data())
    def delete_profile(self, data: st.DataObject) -> None:
        self.repo.delete_profile(self.tenant, data.draw(st.sampled_from(self.users), label="user"))

    # --- delta clients ---------------------------------------------------------------------------
    @rule(data=st.data())
    def read_a_page(self, data: st.DataObject) -> None:
        data.draw(st.sampled_from(self.clients), label="client").page(self.repo)

    @rule(data=st.data())
    def start_over(self, data: st.DataObject) -> None:
        """A client that starts a new first round (a new replica, or one told `syncStateNotFound`)."""
        client = data.draw(st.sampled_from(self.clients), label="client")
        client.copy, client.started, client.next_token, client.delta_token = {}, False, None, None

    @rule(data=st.data())
    def complete_and_compare(self, data: st.DataObject) -> None:
        client = data.draw(st.sampled_from(self.clients), label="client")
        client.finish(self.repo)
        assert client.copy == self.truth(client), client.name

    @invariant()
    def copies_never_hold_what_the_store_never_had(self) -> None:
        for client in self.clients:
            assert all("id" in body for body in client.copy.values())

    def teardown(self) -> None:
        for client in self.clients:  # at the end every client catches up exactly
            client.finish(self.repo)
            assert client.copy == self.truth(client), client.name


def test_applying_every_round_gives_a_fresh_full_read(open_repository: Callable[[], ProfileRepository]) -> None:
    repo = open_repository()  # one store for every example; each example is a tenant of its own
    machine = type("Machine", (DeltaMachine,), {"repo_factory": staticmethod(lambda: repo)})
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
