"""midi_folders: any MIDI collection, one folder per genre."""
