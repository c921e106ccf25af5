"""Kepu Monitor dashboard: the one entry file (`streamlit run dashboards/app.py`).

It owns what every page shares: the language switch, the check that a snapshot has been
published (else a first-run guide to the upload page, the one page that works without
one), the synthetic-data notice, the publish time and the page's title. The pages only
draw what comes below their title.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboards import data
from dashboards.i18n import both, language_switch, t
from dashboards.verdicts import STYLE

UPLOAD_PAGE = "views/upload.py"


def navigation() -> StreamlitPage:
    """The pages, titled in the chosen language.

    The page scripts live in `views/`, not `pages/`: a `pages/` folder beside the entry
    file puts Streamlit in its older multipage mode, which reruns a page without this
    file and so without the language switch and the notices.
    """
    return st.navigation(
        [
            st.Page(
                "views/overview.py",
                title=t("page.overview"),
                url_path="overview",
                default=True,
            ),
            st.Page("views/target.py", title=t("page.target"), url_path="target"),
            st.Page("views/funding.py", title=t("page.funding"), url_path="funding"),
            st.Page("views/literacy.py", title=t("page.literacy"), url_path="literacy"),
            st.Page("views/facilities.py", title=t("page.facilities"), url_path="facilities"),
            st.Page("views/activities.py", title=t("page.activities"), url_path="activities"),
            st.Page("views/measures.py", title=t("page.measures"), url_path="measures"),
            st.Page("views/assessment.py", title=t("page.assessment"), url_path="assessment"),
            st.Page("views/quality.py", title=t("page.quality"), url_path="quality"),
            st.Page(UPLOAD_PAGE, title=t("page.upload"), url_path="upload"),
        ]
    )


def has_snapshot() -> bool:
    try:
        data.connection()
    except FileNotFoundError:
        return False
    return True


def first_run_guide() -> None:
    """What a reader of an empty warehouse does next, instead of a page with nothing in it."""
    st.info(t("app.nothing_published"))
    st.markdown(t("app.first_run"))
    st.page_link(UPLOAD_PAGE, label=t("app.first_run_link"), icon="⬆️")


# A metric's value wraps where it is wider than its column ("-0.09 percentage points" in a
# third of the page) instead of being cut short with an ellipsis.
METRIC_STYLE = (
    '<style>[data-testid="stMetricValue"] > div, [data-testid="stMetricValue"] p'
    "{white-space:normal;overflow:visible;text-overflow:clip}</style>"
)


def snapshot_banner() -> None:
    """The synthetic-data warning on every page and the publish time in the sidebar."""
    info = data.snapshot_info(data.connection())
    if info["is_synthetic"]:
        st.warning(both("app.synthetic"), icon="⚠️")
    published_at: datetime = info["published_at"]
    st.sidebar.caption(
        t("app.published_at", time=f"{published_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    )


# A session's first run sends the page's title, then waits this long before the page's
# body. The browser renders what reaches it together in one task and paints only after it:
# sent at once, the title was painted only once every table, chart and scorecard below it
# had been rendered. `kepu bench dashboard` on the demo (issue 11's first paint, as a
# multiple of a bare Streamlit page): 1.24–1.73× before, 1.09–1.36× with the pause, the
# page settled as before within the noise. 25 ms left the browser no frame before the body
# arrived. Later runs of a session (filters, pages, language) change a page already
# painted and do not wait.
FIRST_PAINT_PAUSE_SECONDS = 0.05
TITLE_PAINTED = "kepu_title_painted"


def page_title(page: StreamlitPage) -> None:
    """The page's title, and on a session's first run the pause that lets it paint first."""
    st.title(page.title)
    if not st.session_state.get(TITLE_PAINTED):
        st.session_state[TITLE_PAINTED] = True
        time.sleep(FIRST_PAINT_PAUSE_SECONDS)


def main() -> None:
    # The toolbar mode (no Deploy, no developer menu) is set where the server starts:
    # dashboards/server.py.
    st.set_page_config(page_title=both("app.title"), layout="wide")
    st.html(STYLE + METRIC_STYLE)
    language_switch()
    page = navigation()
    published = has_snapshot()
    if published:
        snapshot_banner()
    page_title(page)
    if not published and page.url_path != "upload":
        first_run_guide()
        st.stop()
    page.run()


# Streamlit runs this file as `__main__`, and leaves it installed as the process's
# `sys.modules["__main__"]`. A process spawned later by the same interpreter (a Dagster
# step, a bench stage) imports the parent's main file again, as `__mp_main__`: the
# dashboard must not run there, outside any Streamlit session.
if __name__ == "__main__":
    main()
