# Day before month, as in "3 March 2025": read the same way worldwide, unlike 3/3 or March 3.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
