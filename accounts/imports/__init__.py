"""CSV import (accounts, contacts, opportunities) with recognised CRM presets, and CSV export of lists."""
