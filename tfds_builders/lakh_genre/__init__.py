"""lakh_genre: Lakh MIDI Dataset with MSD genre labels."""
