"""Pure diagnosis rules (debugging checklist, footguns). Filled by later issues."""
