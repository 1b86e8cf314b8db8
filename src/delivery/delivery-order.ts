// The order a send takes the plan's segments in. The plan lists them most recipients first; sent in
// that order, the end of a large send is all small segments (thousands at 100,000 subscribers, most
// with one to three recipients), so for its last tenth a segment is rendered, encoded and archived
// for almost every message. That work's garbage then comes several times faster than in the rest
// of the run, and the heap and RSS climbed by 20 to 40 MB there (issue 7, measured). Spread among
// the large segments, the same work comes at an even rate from the first message to the last.

/**
 * The segments, largest first, with the smallest taken from the end whenever fewer segments have
 * been started than their share of the messages sent so far (`segments × messages so far / all
 * messages`), so segments are started at about the rate messages go out.
 */
export function deliveryOrder<T extends { recipients: { length: number } }>(
  segments: readonly T[],
): T[] {
  const messages = segments.reduce((sum, segment) => sum + segment.recipients.length, 0);
  const perMessage = messages === 0 ? 0 : segments.length / messages;
  const order: T[] = [];
  let sent = 0;
  let front = 0;
  let back = segments.length - 1;
  while (front <= back) {
    const next = order.length < perMessage * sent ? back-- : front++;
    const segment = segments[next] as T;
    order.push(segment);
    sent += segment.recipients.length;
  }
  return order;
}
