DROP TABLE outbox;
DROP TABLE notifications;
DROP TABLE witness_requests;
