from tqdm import tqdm


class TableProgress:
    """A progress bar per table on a terminal; silent otherwise (logs, CI)."""

    def __init__(self, stream):
        self.stream = stream
        self.disable = not getattr(stream, "isatty", lambda: False)()
        self.bar = None
        self.label = None

    def update(self, label: str, count: int):
        if self.disable:
            return
        if label != self.label:
            self.close()
            self.label = label
            self.bar = tqdm(desc=label, unit=" rows", file=self.stream, leave=False)
        self.bar.update(count - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
