"""Who an audit record names: the operator, and the SSH client they came from."""
from __future__ import annotations

import os
import pwd

from tui.core.actions.audit import Who


def test_user_and_ssh_client_from_the_session():
    who = Who.from_env({"USER": "mira", "SSH_CONNECTION": "10.20.0.7 51234 10.20.0.1 22"})
    assert who == Who("mira", "10.20.0.7")


def test_no_user_variable_still_names_the_account():
    # a bare tmux or cron environment carries no USER/LOGNAME: the record must still say who
    who = Who.from_env({})
    assert who.user == pwd.getpwuid(os.getuid()).pw_name
    assert who.client is None
