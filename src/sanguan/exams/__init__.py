"""Assessment: item analysis, papers, sittings and grades."""
