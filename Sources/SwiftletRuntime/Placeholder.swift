// Execution environments live here.
