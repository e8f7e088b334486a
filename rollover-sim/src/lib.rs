//! `rollover-sim`: RFC 5011 resolver model, rollover plans and population forecasts.
