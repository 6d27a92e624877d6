// Register webhook $id: POST the events named in $events to $url, signed with $secret.
CREATE (w:Webhook {id: $id})
SET w.url = $url, w.events = $events, w.secret = $secret, w.active = true, w.created_at = datetime($now)
RETURN w.id AS id
