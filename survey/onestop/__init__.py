"""One-stop evaluation under TT 01/2018/TT-VPCP (DOMAIN.md §7): the scheme (versioned data),
the scoring (pure), dossier records imported from the provincial one-stop system, the
scoreboard, apology letters and the monthly officer sheet."""
