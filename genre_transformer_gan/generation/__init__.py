"""Generation: cached sampling; rendering to MIDI / WAV / PNG."""
