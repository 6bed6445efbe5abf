"""Date and number formats for the Chinese UI, overriding Django's zh_Hans locale where it breaks forms.

Django's zh_Hans puts "%Y/%m/%d" first among the input formats, and a form widget writes a stored date in the
first input format. A date input (`<input type="date">`, and the date pickers) only accepts ISO dates, so an edit
page showed "2025/03/01", the browser threw it away and the clerk saw an empty date (or today's). ISO comes first
here, for every form of the product at once. Django's "%Y年%n月%j日" is also wrong (%n is a newline, %j the day
of the year): written as people write dates instead.
"""

DATE_FORMAT = "Y年n月j日"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
FIRST_DAY_OF_WEEK = 1

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2025-03-05 (written by every date widget)
    "%Y/%m/%d",  # 2025/3/5
    "%Y.%m.%d",  # 2025.3.5
    "%Y年%m月%d日",  # 2025年3月5日
    "%Y%m%d",  # 20250305
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ""
NUMBER_GROUPING = 4
