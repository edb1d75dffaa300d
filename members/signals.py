"""What members tells the apps above it (which it never imports).

`merge_check`: sent by `members.merging` before two records are merged, inside its
transaction, with survivor=Member, merged=Member. A receiver returns a list of reasons (in
French) that forbid the merge, or an empty list.
"""

from django.dispatch import Signal

merge_check = Signal()
