"""The help desk's registry of actions: each audit name the services write is named once."""

from helpdesk.actions import ACTIONS, HISTORY_LABELS
from helpdesk.services import Audit


def test_every_recorded_action_has_a_label_in_the_history():
    assert set(HISTORY_LABELS) == set(Audit.values)


def test_action_names_are_unique():
    names = [action.name for action in ACTIONS]
    assert len(names) == len(set(names))
