-- A failed send stores only the receiver's status ("HTTP 500 Internal Server Error"), never what it
-- answered. Earlier rows kept the first 200 characters of the answer after the status: drop them.
UPDATE "notification_outbox" SET "last_error" = substring("last_error" from '^HTTP [0-9]{3}') WHERE "last_error" ~ '^HTTP [0-9]{3}: ';
