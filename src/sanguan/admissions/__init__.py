"""The entrance gate (入口关): enrollment plans, charters, publicity, applicants, entrance
exams, admission and tuition."""
