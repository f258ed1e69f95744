-- Migration number: 0002 	 Callback claims have an owner (coinbar-pay handleCallback's store contract).
-- Each delivery claims a callback_events row with its own token; renew / complete / release change
-- the row only while it is claimed with that token, so a delivery whose claim was taken over (it ran
-- past its lease) cannot free or finish the claim of the delivery that now holds it.
-- A new file rather than an edit of 0001: deployed D1 databases have 0001 applied already.
ALTER TABLE callback_events ADD COLUMN token TEXT;
