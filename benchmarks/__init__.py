"""``make bench`` figures, one module per area; each defines ``BENCHMARKS`` (callables
returning ``{name: value}``), collected by the ``bench`` command. Kept out of the
product packages: this is the top layer, it may import any app."""
