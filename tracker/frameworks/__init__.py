"""Inspection frameworks as versioned data: their evaluation areas and criteria, and the links
from criteria to findings, actions, measures, evidence and survey results."""
