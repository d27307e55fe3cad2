"""Readiness of each finding, the plan as it stood on any date, and the dashboard."""
