package dev.gatehouse.server.store;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Writes many items of one kind in a transaction that a {@link GroupCommitter} opened and commits.
 *
 * <p>Contract: return exactly one {@link WriteOutcome} per item, in order. An item that must not be
 * written (a quota reached, say) is {@linkplain WriteOutcome#refused refused}, and nothing of it is
 * written; the others commit. Throwing fails the whole transaction: the committer rolls it back and
 * calls this again once per item, each in a transaction of its own, so a bad item fails alone.
 * Implementations are called from the committer's thread only, but must be stateless or thread-safe
 * because several committers may share one.
 *
 * @param <I> what is written for one request
 * @param <R> what the request gets back once its transaction committed
 */
@FunctionalInterface
public interface BatchWrite<I, R> {

    List<WriteOutcome<R>> write(Handle transaction, List<I> items);
}
