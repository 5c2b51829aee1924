"""No import cycles between modules of vividmed_viewer, model and training.

Every import counts: module level, inside functions, and under ``TYPE_CHECKING`` (a cycle
there still ties the two modules together). The test builds grimp's import graph and lists
each cycle it finds as its strongly connected group of modules.
"""

from __future__ import annotations

import grimp

PACKAGES = ("vividmed_viewer", "model", "training")


def import_graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)


def strongly_connected_groups(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of two or more modules that import each other, directly or through others
    (Tarjan's algorithm, iterative so deep import chains do not hit the recursion limit)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = lowest[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            step = next(imported, None)
            if step is not None:
                if step not in index:
                    index[step] = lowest[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(graph.find_modules_directly_imported_by(step)))))
                elif step in on_stack:
                    lowest[module] = min(lowest[module], index[step])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowest[parent] = min(lowest[parent], lowest[module])
            if lowest[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


def test_cycles_are_found_and_listed_as_groups() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("e", "f")]:
        graph.add_import(importer=importer, imported=imported)
    graph.add_import(importer="f", imported="e")
    assert strongly_connected_groups(graph) == [["a", "b", "c"], ["e", "f"]]


def test_the_graph_sees_function_level_and_type_checking_imports() -> None:
    graph = import_graph()
    # model.pipeline imports model.checkpoint inside a function, and the generation types
    # only under TYPE_CHECKING: both must be edges, or cycles through them would hide.
    imported = graph.find_modules_directly_imported_by("model.pipeline")
    assert {"model.checkpoint", "model.generation"} <= imported


def test_no_module_imports_itself_through_others() -> None:
    groups = strongly_connected_groups(import_graph())
    listing = "\n".join(" ⇄ ".join(group) for group in groups)
    assert not groups, f"import cycles between modules:\n{listing}"
