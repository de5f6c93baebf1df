"""Video pitches on the server: the `pitch` records' store, who may watch a video, who receives a
pitch, and the good examples a team sees (docs/coaching.md "Pitch reviews", "Good examples").
The kind's rule is sync/kinds/pitch.py; applying patches is server/syncing/kinds/pitches.py;
the video files are server/uploads/."""
