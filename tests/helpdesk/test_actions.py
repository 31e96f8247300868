"""The help desk's registry of actions: each audit name the services write is named once."""

from accounts.audit import action_label
from helpdesk.actions import ACTIONS
from helpdesk.services import Audit


def test_every_recorded_action_has_a_label_in_the_history():
    recorded = {audit for action in ACTIONS for audit in action.records}
    assert recorded <= set(Audit)
    assert all(action_label(code) != code for code in Audit.values)


def test_action_names_are_unique():
    names = [action.name for action in ACTIONS]
    assert len(names) == len(set(names))
