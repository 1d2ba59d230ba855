"""Candidates and their pipeline: built in the issue "Candidate pipeline"."""
