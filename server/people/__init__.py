"""People and teams: who uses Recap, what they may do, and whom they coach or manage."""
