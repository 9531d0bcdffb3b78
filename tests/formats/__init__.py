"""Tests of the CI output formats (audit/formats) and the CI recipes in examples/."""
