"""Pure diagnosis: what is wrong with a pod, and the seven-step debugging checklist.
No I/O and no Textual: the rules read objects (a pod, its events, its logs' last
lines, its node) and say the most likely cause with its evidence."""

from .checklist import Checklist, Evidence, Step, build
from .rules import Finding, diagnose

__all__ = ["Checklist", "Evidence", "Finding", "Step", "build", "diagnose"]
