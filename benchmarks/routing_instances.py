"""Readers for the public routing benchmark instances (TSPLIB, Solomon VRPTW, CVRPLIB X).

Instances live outside the repository, in ``../shared/routing-instances/`` (see its README);
they are never copied into the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

TSP_INSTANCES = ["eil51", "berlin52", "st70", "eil76", "pr76", "kroA100", "ch130", "a280"]
SOLOMON_INSTANCES = ["C101", "C105", "C201", "R101", "R105", "R201", "RC101", "RC201", "RC208"]
X_INSTANCES = ["X-n331-k15", "X-n439-k37"]


@dataclass
class TspInstance:
    """A symmetric TSP with its TSPLIB ``nint`` distance matrix and proven optimum."""

    name: str
    matrix: np.ndarray
    optimum: int


@dataclass
class VrpInstance:
    """A (time-windowed) CVRP with integer matrices; ``scale`` divides costs back to the BKS unit."""

    name: str
    matrix: np.ndarray
    demand: np.ndarray
    capacity: int
    vehicles: int
    service: np.ndarray
    tw: np.ndarray | None
    bks: float
    scale: int


def _euclid(coords: np.ndarray) -> np.ndarray:
    diff = coords[:, None, :] - coords[None, :, :]
    return np.sqrt((diff**2).sum(-1))


def read_tsp(root: Path, name: str) -> TspInstance:
    """Read ``tsplib/<name>.tsp`` (EUC_2D) and its optimum from ``bestSolutions.txt``."""
    text = (root / "tsplib" / f"{name}.tsp").read_text()
    body = text.split("NODE_COORD_SECTION", 1)[1]
    rows = []
    for line in body.splitlines():
        parts = line.split()
        if not parts or parts[0] == "EOF":
            continue
        rows.append((float(parts[1]), float(parts[2])))
    coords = np.array(rows)
    matrix = np.floor(_euclid(coords) + 0.5).astype(np.int64)  # TSPLIB nint
    best = (root / "tsplib" / "bestSolutions.txt").read_text()
    match = re.search(rf"^{re.escape(name)}\s*:\s*(\d+)", best, re.M)
    if not match:
        raise ValueError(f"no optimum for {name}")
    return TspInstance(name, matrix, int(match.group(1)))


def _bks(path: Path) -> float:
    match = re.search(r"Cost\s+([\d.]+)", path.read_text())
    if not match:
        raise ValueError(f"no cost in {path}")
    return float(match.group(1))


def read_solomon(root: Path, name: str) -> VrpInstance:
    """Read a Solomon VRPTW instance under the DIMACS convention (×10, truncated)."""
    inst = vrplib.read_instance(str(root / "solomon" / f"{name}.vrp"))
    coords = np.asarray(inst["node_coord"], dtype=float)
    n = len(coords)
    matrix = np.floor(_euclid(coords) * 10).astype(np.int64)
    service = np.full(n, int(round(float(inst["service_time"]) * 10)), dtype=np.int64)
    service[0] = 0
    tw = (np.asarray(inst["time_window"], dtype=float) * 10).astype(np.int64)
    return VrpInstance(
        name,
        matrix,
        np.asarray(inst["demand"], dtype=np.int64),
        int(inst["capacity"]),
        int(inst.get("vehicles", n - 1)),
        service,
        tw,
        _bks(root / "solomon" / f"{name}.sol"),
        10,
    )


def read_x(root: Path, name: str) -> VrpInstance:
    """Read a CVRPLIB X instance (``nint`` distances, vehicle count free)."""
    inst = vrplib.read_instance(str(root / "cvrp" / f"{name}.vrp"))
    coords = np.asarray(inst["node_coord"], dtype=float)
    n = len(coords)
    matrix = np.floor(_euclid(coords) + 0.5).astype(np.int64)
    return VrpInstance(
        name,
        matrix,
        np.asarray(inst["demand"], dtype=np.int64),
        int(inst["capacity"]),
        n - 1,
        np.zeros(n, dtype=np.int64),
        None,
        _bks(root / "cvrp" / f"{name}.sol"),
        1,
    )


def route_cost(matrix: np.ndarray, routes: list[list[int]]) -> int:
    """Total cost of depot-0 routes given as lists of node indices."""
    total = 0
    for r in routes:
        nodes = [0, *r, 0]
        total += int(sum(matrix[a, b] for a, b in zip(nodes[:-1], nodes[1:], strict=True)))
    return total
