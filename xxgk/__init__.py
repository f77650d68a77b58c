"""The `xxgk` command line: one subcommand per stage, each defined in its stage's package."""
