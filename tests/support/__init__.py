"""Helpers every test layer shares: paths, the episode factory, the fake synthesizer,
independent audio measurements, local HTTP servers, sample pages and Hypothesis
strategies. Fixtures live in the layers' conftest.py files, not here."""
