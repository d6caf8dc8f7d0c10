"""Figure code that belongs to one notebook, one module per notebook (``nb02`` ... ``nb06``).

The figure layout every notebook shares (titled panels on a fixed 0-255 scale,
``PANEL_SIZE``) is :mod:`helpers.plotting`; what is drawn for one lesson only
lives here, named after its notebook, as the exercises do in
:mod:`helpers.exercises`.

>>> from helpers.figures import nb02
>>> callable(nb02.show_value_grids)
True
"""
