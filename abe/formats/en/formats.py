"""English dates as the portal always showed them (ISO day first by year); other languages use Django's own
formats (es 31/12/2026, pt 31/12/2026, ro 31.12.2026). Templates write ``date:"SHORT_DATE_FORMAT"``."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
