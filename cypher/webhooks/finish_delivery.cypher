// Record one attempt of delivery $id made under lease $token: the receiver's $status_code (null when no
// answer came), the time and error, and what follows: $status DELIVERED, FAILED, or PENDING again due at
// $due_at. Nothing is written when the lease was lost (redeliver took over, or it expired and another
// process claimed the delivery); a delivery CANCELLED meanwhile stays CANCELLED.
MATCH (d:WebhookDelivery {id: $id})
WHERE d.lease_token = $token
SET d.attempts = d.attempts + 1,
    d.last_status_code = $status_code,
    d.last_attempt_at = datetime($at),
    d.last_error = $error,
    d.status = CASE WHEN d.status = 'CANCELLED' THEN 'CANCELLED' ELSE $status END,
    d.due_at = CASE WHEN $due_at IS NULL THEN d.due_at ELSE datetime($due_at) END,
    d.lease_token = null,
    d.lease_until = null
RETURN d.id AS id
