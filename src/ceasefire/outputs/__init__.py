"""What the record gives back: exports now; bulletins, statistics and maps later."""
