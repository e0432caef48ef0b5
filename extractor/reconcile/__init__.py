"""From grids to canonical cells: label matching, value normalisation, rules and flags."""
