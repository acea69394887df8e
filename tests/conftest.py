"""Each test folder keeps its fixtures in its own conftest.py (tests/core, tests/emulator,
tests/app, tests/screens, tests/actions, tests/faults); the fixtures several rings share
(emulator, kubeconfig, real Traefik) are defined once in tests/support/shared_fixtures.py and
imported by the folders that use them."""
