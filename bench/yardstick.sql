-- The benchmark's yardstick (issue 3, "Speed"): the seven findings of sellerops/reconcile/*.py
-- computed by one plain DuckDB SQL pass over the raw report files, read as text. It is what a
-- competent analyst would write by hand, so the product's reconcile step is judged against it.
--
-- `${REPORTS}` is replaced by the reports folder (bench/yardstick.py). The last statement returns
-- one row per finding: kind, settlement_id, order_id, sku, line_no (the finding's key), and the
-- money at stake in cents.
--
-- What it assumes of the files, all true of `sellerops demo-data`: one account; report files
-- named as the demo names them; money in "." decimal format; times in ISO 8601 or "… UTC"; a
-- market is its currency (USD = Amazon.com); no settlement is delivered twice; no blank lines
-- (line numbers are physical lines, the header being line 1).

SET preserve_insertion_order = true;  -- rowid below is then the row's position in its file

CREATE OR REPLACE MACRO cents(x) AS CAST(CAST(replace(x, ',', '') AS DECIMAL(18, 2)) * 100 AS BIGINT);
CREATE OR REPLACE MACRO utc(x) AS
    CAST(CAST(replace(replace(x, ' UTC', '+00:00'), 'T', ' ') AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP);

-- ---- settlement files: read as text once, typed in the same pass -------------------------------
-- `digest` hashes every raw column of the V2 flat file (blank = blank): identical rows share it.
CREATE OR REPLACE TEMP TABLE st_raw AS
SELECT filename, "settlement-id" AS settlement_id, currency, "total-amount" AS total_amount,
       "settlement-start-date" AS start_text, "settlement-end-date" AS end_text,
       "transaction-type" AS ttype, "order-id" AS order_id, sku, "amount-type" AS atype,
       "amount-description" AS adesc, cents(amount) AS amount_cents,
       CAST("quantity-purchased" AS BIGINT) AS qty, "fulfillment-id" AS fid,
       CAST("posted-date" AS DATE) AS posted_date, utc("posted-date-time") AS posted_ts,
       hash("settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
            currency, "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
            "marketplace-name", "amount-type", "amount-description", amount, "fulfillment-id", "posted-date",
            "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", sku,
            "quantity-purchased", "promotion-id") AS digest
FROM read_csv('${REPORTS}/settlement_*.txt', delim = '\t', all_varchar = true, header = true,
              quote = '', escape = '', filename = true);

-- ---- settlements and their amount rows -----------------------------------------------------------
CREATE OR REPLACE TEMP TABLE settlements AS
SELECT filename, settlement_id, currency, utc(start_text) AS start_ts, utc(end_text) AS end_ts,
       cents(total_amount) AS total_cents
FROM st_raw WHERE total_amount IS NOT NULL;

CREATE OR REPLACE TEMP TABLE markets AS
SELECT currency,
       CASE currency WHEN 'USD' THEN 'Amazon.com' WHEN 'CAD' THEN 'Amazon.ca' WHEN 'GBP' THEN 'Amazon.co.uk'
                     WHEN 'EUR' THEN 'Amazon.de' WHEN 'JPY' THEN 'Amazon.co.jp' ELSE 'Amazon.com' END AS marketplace,
       CAST(max(end_ts) AS DATE) AS as_of, min(start_ts) AS earliest_start
FROM settlements GROUP BY currency;

-- Physical line numbers: rows keep their file order (preserve_insertion_order), header = line 1.
CREATE OR REPLACE TEMP TABLE lines AS
WITH f AS (SELECT filename, min(rowid) AS first FROM st_raw GROUP BY filename)
SELECT r.filename, r.rowid - f.first + 2 AS line_no, s.settlement_id, coalesce(r.currency, s.currency) AS currency,
       ttype, order_id, sku, atype, adesc, amount_cents, qty, fid, posted_date, posted_ts, digest
FROM st_raw r JOIN f USING (filename) JOIN settlements s USING (filename)
WHERE r.total_amount IS NULL;

-- Identical copies of a fee row within a settlement: the lowest line is the genuine charge, each
-- later one a copy.
CREATE OR REPLACE TEMP TABLE fee_copies AS
SELECT filename, line_no, settlement_id, order_id, sku, amount_cents FROM (
    SELECT *, row_number() OVER (PARTITION BY settlement_id, digest ORDER BY line_no) AS copy_no
    FROM lines WHERE atype IN ('ItemFees', 'ShipmentFees')
) WHERE copy_no > 1;

-- ---- orders: one row per (order-id, sku), the newest last-updated-date winning (then the later file and line)
CREATE OR REPLACE TEMP TABLE ord_raw AS
SELECT * FROM read_csv('${REPORTS}/all_orders_*.txt', delim = '\t', all_varchar = true, header = true,
                       quote = '', escape = '', filename = true, union_by_name = true);

CREATE OR REPLACE TEMP TABLE orders AS
WITH f AS (SELECT filename, min(rowid) AS first FROM ord_raw GROUP BY filename),
numbered AS (SELECT r.*, r.rowid - f.first + 2 AS line_no FROM ord_raw r JOIN f USING (filename))
SELECT "amazon-order-id" AS order_id, sku, currency, "order-status" AS order_status, "item-status" AS item_status,
       "fulfillment-channel" AS fulfillment_channel, "sales-channel" AS sales_channel,
       utc("purchase-date") AS purchase_ts, CAST(quantity AS BIGINT) AS quantity,
       cents("item-price") AS item_price_cents,
       coalesce(lower(trim("is-business-order")) IN ('true', 'yes', 'y'), false) AS business
FROM numbered
QUALIFY row_number() OVER (PARTITION BY "amazon-order-id", sku
                           ORDER BY utc("last-updated-date") DESC NULLS LAST, filename DESC, line_no DESC) = 1;

-- Order principal settled per (order-id, sku) over every settlement; blank amounts count as nothing.
CREATE OR REPLACE TEMP TABLE settled AS
SELECT order_id, sku, coalesce(sum(amount_cents), 0) AS settled_cents, coalesce(sum(qty), 0) AS settled_qty
FROM lines
WHERE ttype = 'Order' AND atype = 'ItemPrice' AND adesc = 'Principal' AND order_id IS NOT NULL AND sku IS NOT NULL
GROUP BY order_id, sku;

CREATE OR REPLACE TEMP TABLE refunds AS
SELECT order_id, sku, first(currency) AS currency, -coalesce(sum(amount_cents), 0) AS refunded_cents,
       max(coalesce(CAST(posted_ts AS DATE), posted_date)) AS refunded_on
FROM lines
WHERE ttype = 'Refund' AND atype = 'ItemPrice' AND adesc = 'Principal' AND order_id IS NOT NULL AND sku IS NOT NULL
GROUP BY order_id, sku;

-- ---- fee_outlier: per (settlement, order, sku) line of Order transactions, copies left out ------
CREATE OR REPLACE TEMP TABLE items AS
WITH g AS (
    SELECT settlement_id, order_id, sku,
           sum(CASE WHEN atype = 'ItemPrice' AND adesc = 'Principal' THEN coalesce(qty, 0) ELSE 0 END) AS qty_principal,
           max(coalesce(qty, 0)) AS any_qty,
           sum(CASE WHEN atype = 'ItemFees' AND adesc = 'FBAPerUnitFulfillmentFee' THEN coalesce(amount_cents, 0) ELSE 0 END) AS fba_fee,
           count(CASE WHEN atype = 'ItemFees' AND adesc = 'FBAPerUnitFulfillmentFee' THEN 1 END) AS fba_rows,
           sum(CASE WHEN atype = 'ItemFees' AND adesc = 'Commission' THEN coalesce(amount_cents, 0) ELSE 0 END) AS commission,
           count(CASE WHEN atype = 'ItemFees' AND adesc = 'Commission' THEN 1 END) AS commission_rows,
           sum(CASE WHEN (atype = 'ItemPrice' AND adesc IN ('Principal', 'Shipping', 'GiftWrap')) OR atype = 'Promotion'
                    THEN coalesce(amount_cents, 0) ELSE 0 END) AS base,
           CAST(coalesce(min(posted_ts), arg_min(posted_date, line_no)) AS DATE) AS day
    FROM lines l ANTI JOIN fee_copies c USING (filename, line_no) WHERE ttype = 'Order'
    GROUP BY settlement_id, order_id, sku
)
SELECT *, CASE WHEN qty_principal > 0 THEN qty_principal ELSE any_qty END AS qty,
       -- fee periods split the year at January 15 and October 15 (Policy.fee_period_splits)
       CASE WHEN month(day) * 100 + day(day) < 115 THEN (year(day) - 1) * 100 + 2
            ELSE year(day) * 100 + 1 + CAST(month(day) * 100 + day(day) >= 1015 AS INT) END AS period
FROM g;

CREATE OR REPLACE TEMP TABLE fee_outliers AS
WITH fba AS (
    SELECT settlement_id, order_id, sku, -fba_fee / qty AS v,
           count(*) OVER w AS n, median(-fba_fee / qty) OVER w AS med, qty
    FROM items WHERE fba_rows > 0 AND qty > 0
    WINDOW w AS (PARTITION BY settlement_id, sku, period)
), com AS (
    SELECT settlement_id, order_id, sku, -commission / base AS v,
           count(*) OVER w AS n, median(-commission / base) OVER w AS med, base
    FROM items WHERE commission_rows > 0 AND base > 0
    WINDOW w AS (PARTITION BY settlement_id, sku, period)
)
SELECT settlement_id, order_id, sku, sum(at_stake) AS at_stake FROM (
    -- tolerances: 0.05 a unit (5 cents), 0.5 percentage points; minimum 5 lines (Policy)
    SELECT settlement_id, order_id, sku, (v - med) * qty AS at_stake FROM fba WHERE n >= 5 AND abs(v - med) > 5 + 1e-9
    UNION ALL
    SELECT settlement_id, order_id, sku, (v - med) * base FROM com WHERE n >= 5 AND abs(v - med) > 0.005 + 1e-12
) GROUP BY ALL;

-- ---- net reimbursements per (order-id, sku): a reversal without an order id takes its original's
CREATE OR REPLACE TEMP TABLE reimbursed AS
WITH rb AS (
    SELECT "reimbursement-id" AS rid, "amazon-order-id" AS order_id, sku, "original-reimbursement-id" AS orig,
           cents("amount-total") AS cash, CAST("quantity-reimbursed-inventory" AS BIGINT) AS units
    FROM read_csv('${REPORTS}/reimbursements*.txt', delim = '\t', all_varchar = true, header = true,
                  quote = '', escape = '', union_by_name = true)
), origin AS (SELECT rid, first(order_id) AS order_id FROM rb WHERE order_id IS NOT NULL GROUP BY rid)
SELECT coalesce(rb.order_id, CASE WHEN rb.orig IS NOT NULL THEN o.order_id END) AS order_id, rb.sku
FROM rb LEFT JOIN origin o ON o.rid = rb.orig
WHERE coalesce(rb.order_id, CASE WHEN rb.orig IS NOT NULL THEN o.order_id END) IS NOT NULL AND rb.sku IS NOT NULL
GROUP BY ALL
HAVING coalesce(sum(cash), 0) > 0 OR coalesce(sum(units), 0) > 0;

CREATE OR REPLACE TEMP TABLE returned AS
SELECT "order-id" AS order_id, sku FROM read_csv('${REPORTS}/fba_customer_returns*.txt', delim = '\t',
    all_varchar = true, header = true, quote = '', escape = '', union_by_name = true)
UNION
SELECT "Order ID", "Merchant SKU" FROM read_csv('${REPORTS}/seller_fulfilled_returns*.txt', delim = '\t',
    all_varchar = true, header = true, quote = '', escape = '', union_by_name = true)
UNION
SELECT order_id, sku FROM reimbursed;

-- ---- the findings -------------------------------------------------------------------------------
WITH total_mismatch AS (
    SELECT 'settlement_total_mismatch' AS kind, s.settlement_id, NULL AS order_id, NULL AS sku, NULL AS line_no,
           coalesce(l.rows_cents, 0) - s.total_cents AS amount_cents
    FROM settlements s
    LEFT JOIN (SELECT filename, sum(amount_cents) AS rows_cents FROM lines GROUP BY filename) l USING (filename)
    WHERE abs(coalesce(l.rows_cents, 0) - s.total_cents) > 1
), unsettled AS (
    SELECT 'unsettled_order', NULL, o.order_id, o.sku, NULL, o.item_price_cents
    FROM orders o JOIN markets m USING (currency)
    WHERE o.order_status = 'Shipped' AND o.item_status = 'Shipped'
      AND lower(trim(coalesce(o.sales_channel, ''))) <> 'non-amazon' AND o.item_price_cents > 0
      AND o.purchase_ts >= m.earliest_start
      -- grace: FBA 21 days, seller-fulfilled 28, business orders 45
      AND CAST(o.purchase_ts AS DATE) <= m.as_of - greatest(CASE WHEN o.fulfillment_channel = 'Amazon' THEN 21 ELSE 28 END,
                                                            CASE WHEN o.business THEN 45 ELSE 0 END)
      AND NOT EXISTS (SELECT 1 FROM lines l WHERE l.ttype = 'Order' AND l.order_id = o.order_id AND l.sku = o.sku)
), principal AS (
    SELECT 'principal_mismatch', NULL, o.order_id, o.sku, NULL, o.item_price_cents - s.settled_cents
    FROM orders o JOIN settled s USING (order_id, sku)
    WHERE o.item_price_cents IS NOT NULL AND o.quantity IS NOT NULL
      AND s.settled_qty >= o.quantity AND abs(o.item_price_cents - s.settled_cents) > 1
), duplicates AS (
    SELECT 'duplicate_charge', settlement_id, order_id, sku, line_no, -amount_cents FROM fee_copies
), outliers AS (
    SELECT 'fee_outlier', settlement_id, order_id, sku, NULL, CAST(round(at_stake) AS BIGINT) FROM fee_outliers
), exceeds AS (
    SELECT 'refund_exceeds_sale', NULL, r.order_id, r.sku, NULL, r.refunded_cents - s.settled_cents
    FROM refunds r JOIN settled s USING (order_id, sku)
    WHERE r.refunded_cents - s.settled_cents > 1
), without_return AS (
    SELECT 'refund_without_return', NULL, r.order_id, r.sku, NULL, r.refunded_cents
    FROM refunds r
    JOIN markets m USING (currency)
    LEFT JOIN settled s USING (order_id, sku)
    LEFT JOIN orders o USING (order_id, sku)
    WHERE r.refunded_cents > 0
      AND r.refunded_cents >= coalesce(s.settled_cents, o.item_price_cents) - 1
      AND (o.fulfillment_channel = 'Amazon'
           OR EXISTS (SELECT 1 FROM lines l WHERE l.order_id = r.order_id AND l.sku = r.sku AND l.fid = 'AFN'))
      -- the claim window opens 60 days after the refund in North America, 45 in Europe and Japan
      AND r.refunded_on <= m.as_of - CASE WHEN m.marketplace IN ('Amazon.com', 'Amazon.ca', 'Amazon.com.mx') THEN 60 ELSE 45 END
      AND NOT EXISTS (SELECT 1 FROM returned x WHERE x.order_id = r.order_id AND x.sku = r.sku)
)
SELECT * FROM total_mismatch
UNION ALL SELECT * FROM unsettled
UNION ALL SELECT * FROM principal
UNION ALL SELECT * FROM duplicates
UNION ALL SELECT * FROM outliers
UNION ALL SELECT * FROM exceeds
UNION ALL SELECT * FROM without_return;
