"""The lead's board, pure: today's tally of queue legs and the board built from the live state."""
