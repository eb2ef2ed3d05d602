"""The shop's calendar: promotion windows and how busy each day is.

A day's *intensity* multiplies every active customer's purchase rate that day:
1.0 is an ordinary day, 11-11 (Double 11, 双十一) is about ten times that, and
the Spring Festival (春节) week is quiet because couriers stop. Promotion
windows (大促) label the orders placed in them:

=============  =====================================  =========================
promotion      window                                 what happens
=============  =====================================  =========================
new_year       20 to 9 days before Spring Festival    年货节: gift boxes sell
618            05-31 .. 06-18, peak on 06-18          mid-year sale (618 大促)
mid_autumn     14 to 3 days before Mid-Autumn         中秋: gift boxes sell
double11       10-31 .. 11-11, peak on 11-11          Singles' Day (双十一)
double12       12-10 .. 12-12                         双十二, a smaller sale
=============  =====================================  =========================

Festival dates are known for 2020-2030; other years get no festival windows.

>>> cal = shop_calendar("2024-11-01", "2024-11-30")
>>> cal.loc[cal.intensity.idxmax(), "date"].strftime("%m-%d"), cal.promotion.iloc[10]
('11-11', 'double11')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MID_AUTUMN", "SPRING_FESTIVAL", "shop_calendar"]

SPRING_FESTIVAL = {
    2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22",
    2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06",
    2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
}  # fmt: skip
MID_AUTUMN = {
    2020: "2020-10-01", 2021: "2021-09-21", 2022: "2022-09-10", 2023: "2023-09-29",
    2024: "2024-09-17", 2025: "2025-10-06", 2026: "2026-09-25", 2027: "2027-09-15",
    2028: "2028-10-03", 2029: "2029-09-22", 2030: "2030-09-12",
}  # fmt: skip

# (promotion, first "MM-DD", last "MM-DD", intensity) for fixed-date sales.
_FIXED_WINDOWS = (
    ("618", "05-31", "05-31", 1.8),
    ("618", "06-01", "06-03", 3.5),
    ("618", "06-04", "06-15", 2.0),
    ("618", "06-16", "06-17", 2.5),
    ("618", "06-18", "06-18", 8.0),
    ("double11", "10-31", "10-31", 2.0),
    ("double11", "11-01", "11-03", 3.5),
    ("double11", "11-04", "11-09", 2.0),
    ("double11", "11-10", "11-10", 2.2),
    ("double11", "11-11", "11-11", 10.0),
    ("none", "11-12", "11-12", 1.3),
    ("double12", "12-10", "12-11", 1.3),
    ("double12", "12-12", "12-12", 3.0),
)


def shop_calendar(start, end) -> pd.DataFrame:
    """One row per day from ``start`` to ``end`` (inclusive).

    Columns: ``date`` (datetime64[ns], midnight), ``promotion`` (str, one of
    ``schema.PROMOTIONS``), ``intensity`` (float, 1.0 = ordinary day; includes
    a mild winter-high/summer-low cycle, tea being drunk hot).

    >>> shop_calendar("2025-06-17", "2025-06-19").intensity.round(2).tolist()
    [2.28, 7.3, 0.91]
    """
    dates = pd.date_range(start, end, freq="D")
    if len(dates) == 0:
        raise ValueError(f"end ({end}) is before start ({start})")
    day_of_year = dates.day_of_year.to_numpy()
    intensity = 1.0 + 0.1 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25)
    promotion = np.full(len(dates), "none", dtype=object)
    month_day = dates.strftime("%m-%d").to_numpy()

    for label, first, last, factor in _FIXED_WINDOWS:
        inside = (month_day >= first) & (month_day <= last)
        intensity[inside] *= factor
        promotion[inside] = label

    offsets = (dates - dates[0]).days.to_numpy()
    for year in range(dates[0].year, dates[-1].year + 1):
        for table, label, first, last, factor in (
            (SPRING_FESTIVAL, "new_year", -20, -9, 1.5),
            (MID_AUTUMN, "mid_autumn", -14, -3, 1.35),
        ):
            if year not in table:
                continue
            day0 = (pd.Timestamp(table[year]) - dates[0]).days
            inside = (offsets >= day0 + first) & (offsets <= day0 + last)
            intensity[inside] *= factor
            promotion[inside] = label
        if year in SPRING_FESTIVAL:
            # Couriers stop around the Spring Festival: few orders that week.
            day0 = (pd.Timestamp(SPRING_FESTIVAL[year]) - dates[0]).days
            intensity[(offsets >= day0 - 6) & (offsets <= day0 + 6)] *= 0.45

    return pd.DataFrame({"date": dates, "promotion": promotion, "intensity": intensity})
