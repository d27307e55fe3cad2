"""How hard the fuzzer tries, and where Hypothesis keeps what it finds.

By default every run posts the same examples (`derandomize=True`, seeded from the test function
itself): a run in CI can be repeated on a laptop exactly, and a failure is not a matter of luck.
Nothing is written into the repository (`database=None`, and Hypothesis's caches live in /tmp). To
search further than that fixed set, set FUZZ_EXPLORE=1 (random examples, and failures kept in
/tmp/tracker-hypothesis so that the next run tries them first) and FUZZ_EXAMPLES to the number of
posts per form, then turn whatever it finds into an ordinary test. FUZZ_DEBUG=1 (with -s) prints
each post and its answer.
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

HOME = "/tmp/tracker-hypothesis"
set_hypothesis_home_dir(HOME)  # its caches too (unicode tables), so nothing lands in the working tree

EXPLORE = os.environ.get("FUZZ_EXPLORE") == "1"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200" if EXPLORE else "15"))

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not EXPLORE,
    database=DirectoryBasedExampleDatabase(f"{HOME}/examples") if EXPLORE else None,
    # a post that stores a file or renders a page takes what it takes; slowness is not the bug sought
    deadline=None,
    # one world of records per form, shared by its examples on purpose:
    # building it per example would cost minutes
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    print_blob=False,
)
