"""Realistic, deterministic demo and scale data (`baifang demo`); see generator.py."""
