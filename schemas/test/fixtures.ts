/**
 * Realistic sample events for every ODX event type, for tests across the
 * repo. Each call returns fresh objects, so callers may mutate them.
 */
import type {
  Address,
  Customer,
  EdiDocument,
  EventMeta,
  EventPayloads,
  EventType,
  ExceptionCase,
  Invoice,
  InventoryAdjustment,
  InventoryLevel,
  Order,
  Party,
  Payment,
  Price,
  Product,
  Return,
  Shipment,
  ShipmentLine,
  ShipmentPackage,
} from '../src/index.js';

const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

/** A meta record; `overrides` replaces individual fields. */
export function sampleMeta(overrides: Partial<EventMeta> = {}): EventMeta {
  return {
    eventId: '0b9c3f4e-6a2d-5c1e-9f7a-3d2b1c0e8f61',
    occurredAt: at(0),
    source: 'odoo',
    correlationId: 'corr-S00042',
    causationId: null,
    company: 'acme-distribution',
    ...overrides,
  };
}

export function sampleParty(): Party {
  return {
    partyId: '3187',
    ref: 'C-10042',
    name: 'Northwind Retail Inc.',
    vatNumber: 'US94-1234567',
    gln: '0614141000005',
    ediPartnerId: 'northwind',
    email: 'purchasing@northwind.example',
    phone: '+1 415 555 0100',
  };
}

export function sampleAddress(overrides: Partial<Address> = {}): Address {
  return {
    addressId: '3190',
    name: 'Northwind DC 7',
    companyName: 'Northwind Retail Inc.',
    street1: '1200 Logistics Pkwy',
    street2: 'Dock 4',
    city: 'Reno',
    region: 'NV',
    postalCode: '89502',
    countryCode: 'US',
    locationCode: '0614141000012',
    phone: null,
    email: null,
    ...overrides,
  };
}

export function sampleOrder(): Order {
  return {
    orderId: '42',
    odooId: '42',
    name: 'S00042',
    clientOrderRef: 'PO-778812',
    channel: 'edi',
    state: 'sale',
    orderDate: at(-60),
    customer: sampleParty(),
    shipTo: sampleAddress(),
    billTo: sampleAddress({ addressId: '3187', name: 'Northwind Accounts Payable', street2: null, locationCode: null }),
    warehouseCode: 'WH1',
    currency: 'USD',
    lines: [
      {
        lineId: '901',
        lineNumber: 1,
        sku: 'BOLT-M8-50',
        productId: '5501',
        customerItemCode: 'NW-88213',
        gtin: '00614141123452',
        description: 'Hex bolt M8x50 zinc, box of 100',
        quantity: '40.0000',
        uom: 'BX',
        unitPrice: '12.345600',
        discountPercent: '5.0000',
        taxCodes: ['NV Sales 8.265%'],
        subtotal: '469.1328',
        taxAmount: '38.7748',
        total: '507.9076',
        warehouseCode: null,
        requestedDate: at(3 * 24 * 60),
        promisedDate: at(2 * 24 * 60),
      },
      {
        lineId: '902',
        lineNumber: 2,
        sku: 'WASH-M8',
        productId: '5502',
        customerItemCode: null,
        gtin: null,
        description: 'Flat washer M8, bag of 500',
        quantity: '2.5000',
        uom: 'BG',
        unitPrice: '0.000125',
        discountPercent: '0.0000',
        taxCodes: [],
        subtotal: '0.0003',
        taxAmount: '0.0000',
        total: '0.0003',
        warehouseCode: 'WH2',
        requestedDate: null,
        promisedDate: null,
      },
    ],
    amountUntaxed: '469.1331',
    amountTax: '38.7748',
    amountTotal: '507.9079',
    requestedDeliveryDate: at(3 * 24 * 60),
    promisedDeliveryDate: at(2 * 24 * 60),
    paymentTerm: 'Net 30',
    incoterm: 'DAP',
    carrierCode: 'UPSN',
    serviceLevel: 'GROUND',
    notes: 'Deliver between 8:00 and 14:00.',
  };
}

export function sampleShipmentLine(overrides: Partial<ShipmentLine> = {}): ShipmentLine {
  return {
    lineId: '7001',
    orderLineId: '901',
    lineNumber: 1,
    sku: 'BOLT-M8-50',
    productId: '5501',
    gtin: '00614141123452',
    description: 'Hex bolt M8x50 zinc, box of 100',
    quantity: '40.0000',
    uom: 'BX',
    lotNumber: 'LOT-2025-0311',
    expiryDate: null,
    serialNumbers: [],
    ...overrides,
  };
}

export function samplePackage(): ShipmentPackage {
  return {
    packageId: 'PACK0000123',
    sscc: '006141410000000018',
    packageType: 'CARTON',
    weightKg: '18.7500',
    dimensions: { lengthCm: '60.00', widthCm: '40.00', heightCm: '35.50' },
    trackingNumber: '1Z999AA10123456784',
    contents: [sampleShipmentLine()],
  };
}

export function sampleShipment(overrides: Partial<Shipment> = {}): Shipment {
  return {
    shipmentId: '1310',
    name: 'WH1/OUT/00131',
    orderId: '42',
    orderName: 'S00042',
    clientOrderRef: 'PO-778812',
    customer: sampleParty(),
    warehouseCode: 'WH1',
    state: 'dispatched',
    shipFrom: sampleAddress({
      addressId: '1',
      name: 'ACME Distribution WH1',
      companyName: 'ACME Distribution',
      city: 'Sparks',
      postalCode: '89431',
      locationCode: null,
    }),
    shipTo: sampleAddress(),
    carrierCode: 'UPSN',
    serviceLevel: 'GROUND',
    bookingRef: 'BOL-55120',
    trackingNumber: '1Z999AA10123456784',
    lines: [sampleShipmentLine()],
    packages: [samplePackage()],
    milestones: [
      {
        code: 'PICKED_UP',
        carrierStatusCode: 'AF',
        description: 'Picked up by carrier',
        occurredAt: at(240),
        location: { facility: 'RNO', city: 'Sparks', region: 'NV', postalCode: '89431', countryCode: 'US' },
        estimatedDeliveryAt: at(2 * 24 * 60),
      },
    ],
    totalWeightKg: '18.7500',
    scheduledShipDate: at(120),
    shippedAt: at(240),
    estimatedDeliveryAt: at(2 * 24 * 60),
    deliveredAt: null,
    ...overrides,
  };
}

export function sampleCustomer(): Customer {
  return {
    customerId: '3187',
    ref: 'C-10042',
    name: 'Northwind Retail Inc.',
    isCompany: true,
    active: true,
    vatNumber: 'US94-1234567',
    gln: '0614141000005',
    ediPartnerId: 'northwind',
    email: 'purchasing@northwind.example',
    phone: '+1 415 555 0100',
    billingAddress: sampleAddress({ addressId: '3187', name: 'Northwind Accounts Payable' }),
    shippingAddresses: [sampleAddress()],
    currency: 'USD',
    pricelistId: '3',
    paymentTerm: 'Net 30',
    creditLimit: '250000.0000',
    tags: ['key-account', 'edi'],
    updatedAt: at(-10),
  };
}

export function sampleProduct(): Product {
  return {
    productId: '5501',
    templateId: '4401',
    sku: 'BOLT-M8-50',
    name: 'Hex bolt M8x50 zinc, box of 100',
    description: 'DIN 933, grade 8.8, zinc plated',
    gtin: '00614141123452',
    uom: 'BX',
    purchaseUom: 'CS',
    category: 'All / Saleable / Fasteners',
    productType: 'consu',
    tracking: 'lot',
    weightKg: '0.4100',
    volumeM3: '0.000450',
    dimensions: { lengthCm: '15.00', widthCm: '10.00', heightCm: '3.00' },
    hsCode: '7318.15',
    countryOfOrigin: 'DE',
    listPrice: '12.995000',
    currency: 'USD',
    saleOk: true,
    purchaseOk: true,
    active: true,
    updatedAt: at(-30),
  };
}

export function samplePrice(): Price {
  return {
    priceId: '771',
    pricelistId: '3',
    pricelistName: 'Key accounts USD',
    productId: '5501',
    sku: 'BOLT-M8-50',
    customerId: null,
    currency: 'USD',
    unitPrice: '12.345600',
    uom: 'BX',
    minQuantity: '24.0000',
    validFrom: at(-24 * 60),
    validTo: null,
    active: true,
  };
}

export function sampleInventoryLevel(): InventoryLevel {
  return {
    sku: 'BOLT-M8-50',
    productId: '5501',
    warehouseCode: 'WH1',
    locationCode: null,
    lotNumber: null,
    uom: 'BX',
    onHand: '1250.0000',
    reserved: '40.0000',
    available: '1210.0000',
    incoming: '500.0000',
    outgoing: '40.0000',
    asOf: at(5),
  };
}

export function sampleAdjustment(): InventoryAdjustment {
  return {
    adjustmentId: 'WMS-ADJ-88120',
    sku: 'BOLT-M8-50',
    productId: '5501',
    warehouseCode: 'WH1',
    locationCode: 'WH1/Stock/A-03-2',
    lotNumber: 'LOT-2025-0311',
    uom: 'BX',
    quantityDelta: '-3.0000',
    reasonCode: 'DAMAGE',
    reference: 'CC-2025-03-14',
    adjustedBy: 'rf-gun-17',
    adjustedAt: at(15),
  };
}

export function sampleInvoice(): Invoice {
  return {
    invoiceId: '8812',
    name: 'INV/2025/00412',
    moveType: 'out_invoice',
    state: 'posted',
    paymentState: 'not_paid',
    orderId: '42',
    orderName: 'S00042',
    clientOrderRef: 'PO-778812',
    customer: sampleParty(),
    billTo: sampleAddress({ addressId: '3187', name: 'Northwind Accounts Payable' }),
    shipTo: sampleAddress(),
    invoiceDate: at(24 * 60),
    dueDate: at(31 * 24 * 60),
    currency: 'USD',
    lines: [
      {
        lineId: '22001',
        orderLineId: '901',
        lineNumber: 1,
        sku: 'BOLT-M8-50',
        productId: '5501',
        description: 'Hex bolt M8x50 zinc, box of 100',
        quantity: '40.0000',
        uom: 'BX',
        unitPrice: '12.345600',
        discountPercent: '5.0000',
        taxCodes: ['NV Sales 8.265%'],
        subtotal: '469.1328',
        taxAmount: '38.7748',
        total: '507.9076',
      },
    ],
    amountUntaxed: '469.1328',
    amountTax: '38.7748',
    amountTotal: '507.9076',
    amountResidual: '507.9076',
    paymentTerm: 'Net 30',
    paymentReference: 'INV/2025/00412',
    shipmentIds: ['1310'],
  };
}

export function samplePayment(): Payment {
  return {
    paymentId: '6604',
    name: 'PBNK1/2025/00077',
    paymentType: 'inbound',
    customer: sampleParty(),
    amount: '507.9076',
    currency: 'USD',
    paymentDate: at(20 * 24 * 60),
    method: 'ach',
    reference: 'TRN*1*0012345678',
    journalCode: 'BNK1',
    allocations: [{ invoiceId: '8812', invoiceName: 'INV/2025/00412', amount: '507.9076' }],
  };
}

export function sampleReturn(): Return {
  return {
    returnId: '301',
    rmaNumber: 'RMA-2025-0301',
    orderId: '42',
    orderName: 'S00042',
    customer: sampleParty(),
    returnFrom: sampleAddress(),
    warehouseCode: 'WH1',
    lines: [
      {
        lineId: '1',
        orderLineId: '901',
        sku: 'BOLT-M8-50',
        productId: '5501',
        quantity: '2.0000',
        uom: 'BX',
        reasonCode: 'DAMAGED',
        lotNumber: 'LOT-2025-0311',
        serialNumbers: [],
        expectedDisposition: 'SCRAP',
      },
    ],
    authorizedAt: at(5 * 24 * 60),
    expiresAt: at(35 * 24 * 60),
    currency: 'USD',
    expectedRefund: '-25.3964',
    notes: null,
  };
}

export function sampleEdiDocument(overrides: Partial<EdiDocument> = {}): EdiDocument {
  return {
    documentId: 'edi-northwind-000000912-0001',
    partnerId: 'northwind',
    standard: 'X12',
    version: '004010',
    transactionSet: '850',
    senderId: 'NORTHWIND',
    receiverId: 'ACMEDIST',
    interchangeControlNumber: '000000912',
    groupControlNumber: '912',
    transactionControlNumber: '0001',
    businessObjectType: 'order',
    businessObjectId: '42',
    businessRef: 'PO-778812',
    fileName: 'NW_850_000000912.x12',
    storageUri: 'file:///var/odx/edi/northwind/in/NW_850_000000912.x12',
    sizeBytes: 1834,
    sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ...overrides,
  };
}

/** An open exception case on order 42 (a late carrier booking). */
export function sampleExceptionCase(overrides: Partial<ExceptionCase> = {}): ExceptionCase {
  return {
    caseId: 'case-7f3a9c2e',
    orderId: '42',
    orderName: 'S00042',
    step: 'carrier-booking',
    reason: {
      errorClass: 'step.overdue',
      lastError: 'carrier booking overdue after 3 attempts; tms-bridge catch-up found no booking',
      evidence: [
        {
          kind: 'record',
          topic: 'odx.shipments.v1',
          partition: 4,
          offset: '18231',
          eventId: '0b9c3f4e-6a2d-5c1e-9f7a-3d2b1c0e8f61',
          note: null,
        },
        { kind: 'dlq-entry', topic: 'odx.shipments.v1.tms-bridge.dlq', partition: 0, offset: '12', eventId: null, note: 'tms.validation' },
      ],
    },
    severity: 'high',
    owner: { kind: 'team', id: 'transport-ops', name: 'Transport operations' },
    status: 'open',
    proposedAction: 'retry-step',
    escalationLevel: 0,
    openedAt: at(300),
    updatedAt: at(300),
    dueAt: at(360),
    resolvedAt: null,
    ...overrides,
  };
}

const builders: { [K in EventType]: () => EventPayloads[K] } = {
  OrderReceived: () => ({
    meta: sampleMeta({ source: 'edi' }),
    order: { ...sampleOrder(), odooId: null, name: null, state: 'draft' },
    sourceDocumentId: 'edi-northwind-000000912-0001',
  }),
  OrderConfirmed: () => ({ meta: sampleMeta(), order: sampleOrder(), confirmedAt: at(0) }),
  OrderCancelled: () => ({
    meta: sampleMeta(),
    orderId: '42',
    orderName: 'S00042',
    clientOrderRef: 'PO-778812',
    reason: 'Customer withdrew the PO',
    cancelledBy: 'jane.doe',
    cancelledAt: at(30),
  }),
  FulfillmentRequested: () => ({
    meta: sampleMeta(),
    shipment: sampleShipment({
      state: 'requested',
      packages: [],
      milestones: [],
      trackingNumber: null,
      bookingRef: null,
      shippedAt: null,
      totalWeightKg: null,
    }),
    priority: 1,
    instructions: 'Palletise by SKU',
  }),
  ShipmentPicked: () => ({
    meta: sampleMeta({ source: 'wms' }),
    shipmentId: '1310',
    orderId: '42',
    warehouseCode: 'WH1',
    lines: [sampleShipmentLine({ quantity: '38.0000' })],
    shortPicked: true,
    pickedAt: at(90),
  }),
  ShipmentPacked: () => ({
    meta: sampleMeta({ source: 'wms' }),
    shipmentId: '1310',
    orderId: '42',
    warehouseCode: 'WH1',
    packages: [samplePackage()],
    totalWeightKg: '18.7500',
    packedAt: at(110),
  }),
  ShipmentBooked: () => ({
    meta: sampleMeta({ source: 'tms' }),
    shipmentId: '1310',
    orderId: '42',
    carrierCode: 'UPSN',
    serviceLevel: 'GROUND',
    bookingRef: 'BOL-55120',
    trackingNumber: '1Z999AA10123456784',
    packageTrackingNumbers: { PACK0000123: '1Z999AA10123456784' },
    labelUri: 'https://tms.example/labels/BOL-55120.pdf',
    freightCost: '42.1700',
    currency: 'USD',
    estimatedPickupAt: at(200),
    estimatedDeliveryAt: at(2 * 24 * 60),
  }),
  ShipmentDispatched: () => ({ meta: sampleMeta({ source: 'wms' }), shipment: sampleShipment(), dispatchedAt: at(240) }),
  ShipmentMilestoneRecorded: () => ({
    meta: sampleMeta({ source: 'tms' }),
    shipmentId: '1310',
    orderId: '42',
    carrierCode: 'UPSN',
    trackingNumber: '1Z999AA10123456784',
    milestone: {
      code: 'OUT_FOR_DELIVERY',
      carrierStatusCode: 'OD',
      description: 'Out for delivery',
      occurredAt: at(2 * 24 * 60 - 300),
      location: { facility: null, city: 'Reno', region: 'NV', postalCode: '89502', countryCode: 'US' },
      estimatedDeliveryAt: null,
    },
  }),
  ShipmentDelivered: () => ({
    meta: sampleMeta({ source: 'tms' }),
    shipmentId: '1310',
    orderId: '42',
    carrierCode: 'UPSN',
    trackingNumber: '1Z999AA10123456784',
    deliveredAt: at(2 * 24 * 60 - 60),
    receivedBy: 'M. LOPEZ',
    proofOfDeliveryUri: null,
    location: null,
  }),
  ShipmentException: () => ({
    meta: sampleMeta({ source: 'tms' }),
    shipmentId: '1310',
    orderId: '42',
    exceptionCode: 'DELAYED',
    severity: 'WARNING',
    description: 'Weather delay at origin hub',
    reportedBy: 'UPSN',
    location: { facility: 'RNO', city: 'Sparks', region: 'NV', postalCode: null, countryCode: 'US' },
    revisedDeliveryAt: at(3 * 24 * 60),
  }),
  InventoryLevelChanged: () => ({
    meta: sampleMeta({ source: 'wms' }),
    level: sampleInventoryLevel(),
    previousOnHand: '1253.0000',
    cause: 'ADJUSTMENT',
  }),
  InventoryAdjusted: () => ({ meta: sampleMeta({ source: 'wms' }), adjustment: sampleAdjustment(), resultingOnHand: '1250.0000' }),
  InventoryMismatchDetected: () => ({
    meta: sampleMeta({ source: 'odx' }),
    sku: 'BOLT-M8-50',
    productId: '5501',
    warehouseCode: 'WH1',
    uom: 'BX',
    odooOnHand: '1253.0000',
    wmsOnHand: '1250.0000',
    difference: '-3.0000',
    tolerance: '0.0000',
    reconciliationRunId: 'recon-2025-03-14T10:00Z',
    detectedAt: at(30),
  }),
  InvoicePosted: () => ({ meta: sampleMeta(), invoice: sampleInvoice(), postedAt: at(24 * 60) }),
  PaymentReceived: () => ({ meta: sampleMeta(), payment: samplePayment() }),
  ReturnAuthorized: () => ({ meta: sampleMeta(), return: sampleReturn() }),
  ProductUpserted: () => ({ meta: sampleMeta(), product: sampleProduct() }),
  CustomerUpserted: () => ({ meta: sampleMeta(), customer: sampleCustomer() }),
  PriceChanged: () => ({ meta: sampleMeta(), price: samplePrice(), previousUnitPrice: '12.995000' }),
  EdiDocumentReceived: () => ({
    meta: sampleMeta({ source: 'edi' }),
    document: sampleEdiDocument(),
    status: 'accepted',
    errors: [],
    ackDocumentId: 'edi-northwind-000000913-0001',
  }),
  EdiDocumentSent: () => ({
    meta: sampleMeta({ source: 'odx' }),
    document: sampleEdiDocument({
      documentId: 'edi-northwind-000004417-0001',
      transactionSet: '856',
      senderId: 'ACMEDIST',
      receiverId: 'NORTHWIND',
      interchangeControlNumber: '000004417',
      groupControlNumber: '4417',
      businessObjectType: 'shipment',
      businessObjectId: '1310',
      businessRef: 'BOL-55120',
      fileName: 'ACME_856_000004417.x12',
      storageUri: 'file:///var/odx/edi/northwind/out/ACME_856_000004417.x12',
    }),
    transport: 'sftp',
    inResponseTo: null,
  }),
  OrderStageChanged: () => ({
    meta: sampleMeta({ source: 'odx', causationId: '0b9c3f4e-6a2d-5c1e-9f7a-3d2b1c0e8f61' }),
    orderId: '42',
    orderName: 'S00042',
    clientOrderRef: 'PO-778812',
    customerId: '3187',
    stage: 'pick-pack',
    stageStatus: 'active',
    previousStage: 'release',
    previousStageStatus: 'active',
    reason: 'FulfillmentRequested',
    sequence: 4,
    changedAt: at(60),
    dueAt: at(60 + 4 * 60),
    warehouseCodes: ['WH1'],
    openCaseIds: [],
  }),
  ExceptionCaseOpened: () => ({
    meta: sampleMeta({ source: 'odx' }),
    case: sampleExceptionCase(),
    change: { at: at(300), actor: 'order-orchestrator', action: 'opened', fromStatus: null, toStatus: 'open', note: null },
  }),
  ExceptionCaseUpdated: () => ({
    meta: sampleMeta({ source: 'odx' }),
    case: sampleExceptionCase({ status: 'acknowledged', updatedAt: at(320), owner: { kind: 'person', id: 'jane.doe', name: null } }),
    change: {
      at: at(320),
      actor: 'jane.doe',
      action: 'acknowledged',
      fromStatus: 'open',
      toStatus: 'acknowledged',
      note: 'Calling the carrier',
    },
  }),
  ExceptionCaseResolved: () => ({
    meta: sampleMeta({ source: 'odx' }),
    case: sampleExceptionCase({ status: 'resolved', updatedAt: at(400), resolvedAt: at(400) }),
    change: {
      at: at(400),
      actor: 'jane.doe',
      action: 'resolved',
      fromStatus: 'acknowledged',
      toStatus: 'resolved',
      note: 'Booked by phone',
    },
    resolution: 'retried',
  }),
  OrchestratorSignal: () => ({
    meta: sampleMeta({ source: 'odx' }),
    orderId: '42',
    kind: 'fact',
    factType: 'ShipmentBooked',
    order: null,
    shipment: {
      shipmentId: '1310',
      stage: 'booked',
      at: at(200),
      warehouseCode: null,
      carrierCode: 'UPSN',
      serviceLevel: 'GROUND',
      bookingRef: 'BOL-55120',
      trackingNumber: '1Z999AA10123456784',
      shortPicked: false,
      exceptionCode: null,
      description: null,
    },
    invoice: null,
    payment: null,
    cancellation: null,
    timer: null,
    command: null,
    failure: null,
    evidence: [
      {
        kind: 'record',
        topic: 'odx.shipments.v1',
        partition: 4,
        offset: '18231',
        eventId: '0b9c3f4e-6a2d-5c1e-9f7a-3d2b1c0e8f61',
        note: null,
      },
    ],
  }),
};

/** A realistic payload for `eventType`; `overrides` replaces top-level fields. */
export function sampleEvent<T extends EventType>(eventType: T, overrides: Partial<EventPayloads[T]> = {}): EventPayloads[T] {
  const build = builders[eventType] as () => EventPayloads[T];
  return { ...build(), ...overrides };
}
