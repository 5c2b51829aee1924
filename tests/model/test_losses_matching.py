"""Hungarian matching against brute force, and the instance set loss."""

from __future__ import annotations

import itertools

import pytest
import torch

from model.losses import hungarian_match, instance_loss, matching_cost
from vividmed_viewer.core.errors import ModelError


def random_boxes(count: int, generator: torch.Generator) -> torch.Tensor:
    centres = 0.2 + 0.6 * torch.rand(count, 3, generator=generator)
    sizes = 0.05 + 0.3 * torch.rand(count, 3, generator=generator)
    return torch.cat([centres, sizes], dim=1)


def total_cost(
    target_cost: torch.Tensor, absent_cost: torch.Tensor, pairs: list[tuple[int, int]]
) -> float:
    matched = {query for query, _ in pairs}
    cost = sum(target_cost[query, target].item() for query, target in pairs)
    return cost + sum(absent_cost[q].item() for q in range(len(absent_cost)) if q not in matched)


def brute_force(target_cost: torch.Tensor, absent_cost: torch.Tensor) -> float:
    queries, targets = target_cost.shape
    if targets <= queries:
        options = (
            list(zip(chosen, range(targets), strict=True))
            for chosen in itertools.permutations(range(queries), targets)
        )
    else:
        options = (
            list(zip(range(queries), chosen, strict=True))
            for chosen in itertools.permutations(range(targets), queries)
        )
    return min(total_cost(target_cost, absent_cost, pairs) for pairs in options)


@pytest.mark.parametrize("targets", [0, 1, 2, 4, 5, 7])
def test_matching_equals_brute_force(seeded: torch.Generator, targets: int) -> None:
    for _ in range(5):
        predictions = random_boxes(5, seeded)
        logits = 3 * torch.randn(5, generator=seeded)
        truth = random_boxes(targets, seeded)
        queries, columns = hungarian_match(predictions, logits, truth, 2.0, 5.0, 2.0)
        assert len(queries) == len(columns) == min(5, targets)
        assert len(set(queries.tolist())) == len(queries)
        assert len(set(columns.tolist())) == len(columns)
        target_cost, absent_cost = matching_cost(predictions, logits, truth, 2.0, 5.0, 2.0)
        found = total_cost(
            target_cost, absent_cost, list(zip(queries.tolist(), columns.tolist(), strict=True))
        )
        assert found == pytest.approx(brute_force(target_cost, absent_cost), abs=1e-5)


def test_matching_cost_follows_the_formula() -> None:
    prediction = torch.tensor([[0.5, 0.5, 0.5, 0.2, 0.2, 0.2]])
    truth = torch.tensor([[0.6, 0.5, 0.5, 0.2, 0.2, 0.2]])
    target_cost, absent_cost = matching_cost(prediction, torch.tensor([0.0]), truth, 2, 5, 2)
    # p = 0.5; L1 = 0.1; boxes overlap by half along z: IoU = 1/3, GIoU = 1/3 (no gap).
    assert target_cost.item() == pytest.approx(2 * 0.5 + 5 * 0.1 + 2 * (1 - 1 / 3), abs=1e-5)
    assert absent_cost.item() == pytest.approx(2 * 0.5)


def test_perfect_predictions_cost_nothing(seeded: torch.Generator) -> None:
    truth = random_boxes(3, seeded)
    predictions = random_boxes(6, seeded)
    predictions[[4, 0, 2]] = truth
    logits = torch.full((6,), -30.0)
    logits[[4, 0, 2]] = 30.0
    queries, columns = hungarian_match(predictions, logits, truth)
    assert queries.tolist() == [0, 2, 4] and columns.tolist() == [1, 2, 0]
    loss = instance_loss(predictions, logits, truth)
    assert loss.total.item() == pytest.approx(0.0, abs=1e-6)
    assert loss.l1.item() == pytest.approx(0.0, abs=1e-6)
    assert loss.giou.item() == pytest.approx(0.0, abs=1e-6)


def test_negative_phrase_teaches_absent(seeded: torch.Generator) -> None:
    predictions = random_boxes(6, seeded)[None]
    empty = [torch.zeros(0, 6)]
    quiet = instance_loss(predictions, torch.full((1, 6), -30.0), empty)
    loud = instance_loss(predictions, torch.full((1, 6), 3.0), empty)
    assert quiet.total.item() == pytest.approx(0.0, abs=1e-6)
    # Every query is a negative: focal = (1 − α)·p²·(−log(1 − p)), weighted ×2.
    p = torch.sigmoid(torch.tensor(3.0))
    expected = 2 * 0.15 * p**2 * -torch.log(1 - p)
    assert loud.total.item() == pytest.approx(expected.item(), rel=1e-4)
    assert loud.l1.item() == 0.0 and loud.giou.item() == 0.0


def test_loss_backpropagates_to_boxes_and_logits(seeded: torch.Generator) -> None:
    boxes = random_boxes(12, seeded).reshape(2, 6, 6).requires_grad_(True)
    logits = torch.randn(2, 6, generator=seeded).requires_grad_(True)
    loss = instance_loss(boxes, logits, [random_boxes(2, seeded), torch.zeros(0, 6)])
    loss.total.backward()
    assert boxes.grad is not None and boxes.grad[0].abs().sum() > 0
    assert boxes.grad[1].abs().sum() == 0  # nothing to match in the negative phrase
    assert logits.grad is not None and torch.all(logits.grad != 0)


def test_worse_boxes_cost_more(seeded: torch.Generator) -> None:
    truth = random_boxes(2, seeded)
    logits = torch.tensor([30.0, 30.0, -30, -30, -30, -30])
    close = torch.cat([truth + 0.01, random_boxes(4, seeded)])
    far = torch.cat([truth + 0.1, random_boxes(4, seeded)])
    assert instance_loss(close, logits, truth).total < instance_loss(far, logits, truth).total


def test_mismatched_batches_are_reported() -> None:
    with pytest.raises(ModelError, match="2 predictions with logits \\[2, 6\\] but 1 target sets"):
        instance_loss(torch.rand(2, 6, 6), torch.rand(2, 6), [torch.rand(1, 6)])
