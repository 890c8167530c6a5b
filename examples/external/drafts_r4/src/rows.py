# Turn a section's node tree into table rows with vertically merged group cells.
# L label columns: levels 0..L-2 are merged group columns, level L-1 is the "rest" column (indented).


def build_rows(nodes, L):
    rows, groups = [], []

    def walk(n, depth):
        if depth < L - 1:
            if not n["k"]:
                rows.append(dict(start=depth, label=n["l"], value=n["v"] if n["v"] is not None else "", indent=0, header=False))
                return
            first = len(rows)
            if n["v"] is not None:
                rows.append(dict(start=depth + 1, label="", value=n["v"], indent=0, header=False))
            for k in n["k"]:
                walk(k, depth + 1)
            groups.append(dict(level=depth, label=n["l"], first=first, last=len(rows) - 1))
        else:
            ind = depth - (L - 1)
            if n["k"] and n["v"] is None:
                rows.append(dict(start=L - 1, label=n["l"], value=None, indent=ind, header=True))
            else:
                rows.append(dict(start=L - 1, label=n["l"], value=n["v"] if n["v"] is not None else "", indent=ind, header=False))
            for k in n["k"]:
                walk(k, depth + 1)

    for n in nodes:
        walk(n, 0)
    return rows, groups
